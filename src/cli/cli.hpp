#pragma once

namespace rkt::cli {

/// Parses argv, runs the command and returns the process exit code.
int run(int argc, char** argv);

}  // namespace rkt::cli

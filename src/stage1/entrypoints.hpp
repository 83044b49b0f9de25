#pragma once

#include <string>
#include <vector>

namespace rkt::stage1 {

/// Which stage1 image a binary belongs to; `enter` differs between them.
enum class Flavor { native, fly };

/// Runs the entrypoint named by basename(argv[0]) (init, run, enter, stop, gc), or by argv[1]
/// when argv[0] is not one of them; returns the process exit status.
int dispatch(Flavor flavor, int argc, char** argv);

/// The entrypoints; each takes the arguments after its name and returns the exit status.
int native_init_main(const std::vector<std::string>& args);
int fly_run_main(const std::vector<std::string>& args);
int enter_main(Flavor flavor, const std::vector<std::string>& args);
int stop_main(const std::vector<std::string>& args);
int gc_main(const std::vector<std::string>& args);

}  // namespace rkt::stage1

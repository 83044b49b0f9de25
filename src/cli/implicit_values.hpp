#pragma once

#include <string>
#include <vector>

namespace rkt::cli {

/// rkt's options with an optional value (`--net`, `--wait`, `--wait-ready`) take it only as
/// `--name=value`, as in rkt: a bare `--name` means its implicit value and never swallows the
/// next argument (an image or a UUID). Rewrites bare uses to `--name=<implicit value>`.
void bind_implicit_values(std::vector<std::string>& args);

}  // namespace rkt::cli

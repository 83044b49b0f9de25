#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::net {

/// What a helper program (a CNI plugin, iptables) did.
struct ExecOutput {
  int status = 0;  // exit status (128+N for a signal)
  std::string out;
  std::string err;
};

/// Runs `argv` (argv[0] an absolute path) with `env` (NAME=VALUE; the caller's environ with
/// these added or replaced) and `input` on stdin; stdout and stderr are collected in memory files,
/// so the child can never block on a full pipe.
Result<ExecOutput> exec_captured(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env, std::string_view input);

/// The first executable `name` in `dirs` ("" if none).
std::string find_executable(std::string_view name, const std::vector<std::string>& dirs);

}  // namespace rkt::net

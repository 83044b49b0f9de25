#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::cli {

/// Replaces this process with the binary `name` that the build installs beside rkt
/// (rkt-api-service, rkt-metadata-service), passing `args` after its name. The services live in
/// binaries of their own so that their libraries (gRPC, the HTTP server) load only for them, not
/// at every start of rkt. exec keeps the PID, so systemd's LISTEN_PID still names the service and
/// rkt stays the unit's main process. Returns only on failure.
Result<int> exec_sibling_binary(std::string_view name, std::vector<std::string> args);

}  // namespace rkt::cli

#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <filesystem>
#include <optional>

namespace rkt::sys {

/// The address of the unix socket at `path`, or nothing when the path does not fit sun_path
/// (binding or connecting to a truncated path would reach another socket).
std::optional<sockaddr_un> unix_address(const std::filesystem::path& path);

}  // namespace rkt::sys

#pragma once

#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::sys {

/// The first descriptor systemd passes with socket activation.
constexpr int k_listen_fds_start = 3;

/// The sockets passed by socket activation (LISTEN_FDS, for this process per LISTEN_PID when set):
/// fds 3..3+n-1, marked close-on-exec. Unsets LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES so that
/// children do not take them. Empty without socket activation.
std::vector<int> take_listen_fds();

/// The socket activation fds as they are, without taking them (for passing them on to a child):
/// how many there are; 0 without socket activation.
int listen_fds_count();

/// Sends `state` ("READY=1", ...) to $NOTIFY_SOCKET (a path, or "@name" for an abstract socket).
/// Without NOTIFY_SOCKET there is no one to tell: succeeds doing nothing.
Result<void> notify(std::string_view state);

}  // namespace rkt::sys

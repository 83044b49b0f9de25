#pragma once

#include <filesystem>

#include "mds/registration_client.hpp"
#include "util/result.hpp"

namespace rkt::mds {

struct ServiceOptions {
  int listen_port = k_default_port;
  std::filesystem::path socket_path = k_default_socket;
};

/// Runs the metadata service until SIGINT or SIGTERM: registrations on the unix socket (or the
/// socket-activated unix socket, LISTEN_FDS), the apps' HTTP server on TCP port `listen_port`
/// on every IPv4 address (or the socket-activated TCP socket). Tells systemd READY=1 once both
/// listen. Removes the socket it created on exit (a socket-activated one is systemd's).
Result<void> run_service(const ServiceOptions& options);

}  // namespace rkt::mds

#pragma once

#include <filesystem>

#include "util/result.hpp"

namespace rkt::mds {

/// Where `rkt metadata-service` takes registrations (rkt's path).
inline constexpr const char* k_default_socket = "/run/rkt/metadata-svc.sock";
/// The apps' TCP port (rkt's common.MetadataServicePort).
constexpr int k_default_port = 18112;

/// The registration socket path: $RKT_METADATA_SOCKET when set (tests, unusual layouts), else
/// rkt's /run/rkt/metadata-svc.sock. The service, `rkt run --mds-register` and gc all use it.
std::filesystem::path registration_socket_path();

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

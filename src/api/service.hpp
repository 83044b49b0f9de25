#pragma once

#include <filesystem>
#include <string>

#include "util/result.hpp"

namespace rkt::api {

/// The default address of `rkt api-service --listen` (rkt's).
inline constexpr const char* k_default_listen = "localhost:15441";
/// The API version the service implements.
inline constexpr const char* k_api_version = "1.0.0-alpha";

/// What the service needs to know, and reports through GetInfo's global_flags.
struct ServiceOptions {
  std::string listen = k_default_listen;
  std::filesystem::path data_dir;
  std::string system_config_dir;
  std::string local_config_dir;
  std::string user_config_dir;
  std::string insecure_flags;
  bool trust_keys_from_https = false;
  std::string rkt_version;
};

/// Runs rkt's read-only gRPC PublicAPI (v1alpha) until SIGINT or SIGTERM, on `listen` or on the
/// socket-activated listening socket (LISTEN_FDS; an error if both are given). Needs no root:
/// members of the `rkt` group can read pods and images. Tells systemd READY=1 once it listens.
Result<void> run_service(const ServiceOptions& options, bool listen_given);

}  // namespace rkt::api

#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace rkt::mds {

/// Where `rkt metadata-service` takes registrations (rkt's path).
inline constexpr const char* k_default_socket = "/run/rkt/metadata-svc.sock";
/// The apps' TCP port (rkt's common.MetadataServicePort).
constexpr int k_default_port = 18112;

/// The registration socket path: $RKT_METADATA_SOCKET when set (tests, unusual layouts), else
/// rkt's /run/rkt/metadata-svc.sock. The service, `rkt run --mds-register` and gc all use it.
std::filesystem::path registration_socket_path();

/// An app of a pod being registered: its name and image manifest JSON.
struct AppRegistration {
  std::string name;
  std::string image_manifest_json;
};

/// A fresh registration token: 32 hex digits from 16 random bytes (as rkt).
Result<std::string> make_token();

/// Registers a pod and its apps with the service on `socket` (HTTP over the unix socket); returns
/// the service's TCP port for the apps. When no service listens, the error says how to start one.
Result<int> register_pod(const std::filesystem::path& socket, std::string_view uuid,
                         std::string_view token, std::string_view pod_manifest_json,
                         const std::vector<AppRegistration>& apps);

/// Removes a pod's registration; a service that no longer knows the pod (restarted) is not an error.
Result<void> unregister_pod(const std::filesystem::path& socket, std::string_view uuid);

}  // namespace rkt::mds

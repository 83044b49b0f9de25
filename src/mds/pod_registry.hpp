#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "appc/types.hpp"
#include "mds/hmac.hpp"
#include "util/result.hpp"

namespace rkt::mds {

/// One app of a registered pod: its image manifest as registered, and parsed.
struct RegisteredApp {
  std::string manifest_json;
  appc::ImageManifest manifest;
};

/// A pod as `rkt run --mds-register` registered it. Immutable once published: add_app replaces
/// the whole entry, so readers hold a consistent snapshot without a lock.
struct RegisteredPod {
  std::string uuid;
  UuidBytes uuid_bytes{};
  std::string token;
  std::string manifest_json;
  appc::PodManifest manifest;
  std::map<std::string, RegisteredApp, std::less<>> apps;
};

/// The pods the service knows, by UUID (registration side) and by token (the apps' side).
class PodRegistry {
 public:
  /// Registers (or re-registers) a pod; invalid_argument for a malformed UUID, token or manifest.
  Result<void> add_pod(std::string_view uuid, std::string_view token,
                       std::string_view manifest_json);
  /// Adds an app's image manifest; not_found for an unknown pod or an app the pod lacks.
  Result<void> add_app(std::string_view uuid, std::string_view app, std::string_view manifest_json);
  /// not_found for an unknown pod.
  Result<void> remove(std::string_view uuid);
  /// nullptr for an unknown token.
  std::shared_ptr<const RegisteredPod> by_token(std::string_view token) const;
  size_t size() const;

 private:
  mutable std::mutex m_mutex;
  std::map<std::string, std::shared_ptr<const RegisteredPod>, std::less<>> m_by_uuid;
  std::map<std::string, std::shared_ptr<const RegisteredPod>, std::less<>> m_by_token;
};

/// A registration token: 16 to 128 characters of [0-9A-Za-z].
bool is_valid_token(std::string_view token);

}  // namespace rkt::mds

#include "mds/pod_registry.hpp"

#include <algorithm>

#include "appc/manifest.hpp"

namespace rkt::mds {

bool is_valid_token(std::string_view token) {
  return token.size() >= 16 && token.size() <= 128 &&
         std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
         });
}

Result<void> PodRegistry::add_pod(std::string_view uuid, std::string_view token,
                                  std::string_view manifest_json) {
  auto bytes = parse_uuid(uuid);
  if (!bytes) return Error::make(ErrorKind::invalid_argument, "UUID is missing or malformed");
  if (!is_valid_token(token)) {
    return Error::make(ErrorKind::invalid_argument, "token is missing or malformed");
  }
  auto manifest = appc::parse_pod_manifest(manifest_json);
  if (!manifest) return std::move(manifest).error().wrap("pod manifest");
  auto pod = std::make_shared<RegisteredPod>();
  pod->uuid = std::string(uuid);
  pod->uuid_bytes = *bytes;
  pod->token = std::string(token);
  pod->manifest_json = std::string(manifest_json);
  pod->manifest = std::move(*manifest);

  std::lock_guard lock(m_mutex);
  if (auto old = m_by_uuid.find(uuid); old != m_by_uuid.end()) {
    m_by_token.erase(old->second->token);
  }
  m_by_token[pod->token] = pod;
  m_by_uuid[pod->uuid] = std::move(pod);
  return {};
}

Result<void> PodRegistry::add_app(std::string_view uuid, std::string_view app,
                                  std::string_view manifest_json) {
  auto manifest = appc::parse_image_manifest(manifest_json);
  if (!manifest) return std::move(manifest).error().wrap("image manifest");
  std::lock_guard lock(m_mutex);
  auto found = m_by_uuid.find(uuid);
  if (found == m_by_uuid.end()) {
    return Error::make(ErrorKind::not_found, "pod with given UUID not found");
  }
  const auto& apps = found->second->manifest.apps;
  if (std::none_of(apps.begin(), apps.end(), [&](const auto& a) { return a.name == app; })) {
    return Error::make(ErrorKind::not_found, "pod has no app \"{}\"", app);
  }
  auto updated = std::make_shared<RegisteredPod>(*found->second);
  updated->apps[std::string(app)] = RegisteredApp{std::string(manifest_json), std::move(*manifest)};
  m_by_token[updated->token] = updated;
  found->second = std::move(updated);
  return {};
}

Result<void> PodRegistry::remove(std::string_view uuid) {
  std::lock_guard lock(m_mutex);
  auto found = m_by_uuid.find(uuid);
  if (found == m_by_uuid.end()) return Error::make(ErrorKind::not_found, "pod not found");
  m_by_token.erase(found->second->token);
  m_by_uuid.erase(found);
  return {};
}

std::shared_ptr<const RegisteredPod> PodRegistry::by_token(std::string_view token) const {
  std::lock_guard lock(m_mutex);
  auto found = m_by_token.find(token);
  return found == m_by_token.end() ? nullptr : found->second;
}

size_t PodRegistry::size() const {
  std::lock_guard lock(m_mutex);
  return m_by_uuid.size();
}

}  // namespace rkt::mds

#include <nettle/base64.h>

#include <algorithm>
#include <array>

#include "config/config.hpp"

namespace rkt::config {

std::string base64_encode(std::string_view data) {
  std::string out(BASE64_ENCODE_RAW_LENGTH(data.size()), '\0');
  base64_encode_raw(out.data(), data.size(), reinterpret_cast<const uint8_t*>(data.data()));
  return out;
}

const AuthCredentials* auth_for(const Config& config, std::string_view host) {
  auto it = config.auth_per_host.find(std::string(host));
  return it == config.auth_per_host.end() ? nullptr : &it->second;
}

std::vector<std::string> auth_headers_for(const Config& config, std::string_view host) {
  const AuthCredentials* credentials = auth_for(config, host);
  if (credentials == nullptr) return {};
  if (const auto* basic = std::get_if<BasicCredentials>(credentials)) {
    return {"Authorization: Basic " + base64_encode(basic->user + ":" + basic->password)};
  }
  if (const auto* oauth = std::get_if<OAuthCredentials>(credentials)) {
    return {"Authorization: Bearer " + oauth->token};
  }
  return {};  // aws: the fetcher signs each request with AwsCredentials
}

const BasicCredentials* docker_credentials_for(const Config& config, std::string_view registry) {
  const auto& registries = config.docker_credentials_per_registry;
  if (auto it = registries.find(std::string(registry)); it != registries.end()) return &it->second;
  // Docker Hub goes by several names; rkt's documentation calls it index.docker.io.
  static constexpr std::array<std::string_view, 3> k_docker_hub = {
      "index.docker.io", "registry-1.docker.io", "docker.io"};
  if (std::find(k_docker_hub.begin(), k_docker_hub.end(), registry) == k_docker_hub.end()) {
    return nullptr;
  }
  for (std::string_view alias : k_docker_hub) {
    if (auto it = registries.find(std::string(alias)); it != registries.end()) return &it->second;
  }
  return nullptr;
}

}  // namespace rkt::config

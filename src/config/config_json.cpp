// `rkt config` output, shaped like rkt's Config.MarshalJSON.
#include <type_traits>

#include "config/config.hpp"

namespace rkt::config {
namespace {

using nlohmann::ordered_json;

ordered_json credentials_json(const AuthCredentials& credentials) {
  return std::visit(
      [](const auto& c) -> ordered_json {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, BasicCredentials>) {
          return {{"user", c.user}, {"password", c.password}};
        } else if constexpr (std::is_same_v<T, OAuthCredentials>) {
          return {{"token", c.token}};
        } else {
          ordered_json out = {{"accessKeyID", c.access_key_id},
                              {"secretAccessKey", c.secret_access_key}};
          if (!c.region.empty()) out["awsRegion"] = c.region;
          return out;
        }
      },
      credentials);
}

const char* auth_type(const AuthCredentials& credentials) {
  if (std::holds_alternative<BasicCredentials>(credentials)) return "basic";
  if (std::holds_alternative<OAuthCredentials>(credentials)) return "oauth";
  return "aws";
}

}  // namespace

ordered_json config_to_json(const Config& config) {
  ordered_json stage0 = ordered_json::array();
  for (const auto& [host, credentials] : config.auth_per_host) {
    stage0.push_back({{"rktVersion", "v1"},
                      {"rktKind", "auth"},
                      {"domains", {host}},
                      {"type", auth_type(credentials)},
                      {"credentials", credentials_json(credentials)}});
  }
  for (const auto& [registry, credentials] : config.docker_credentials_per_registry) {
    stage0.push_back(
        {{"rktVersion", "v1"},
         {"rktKind", "dockerAuth"},
         {"registries", {registry}},
         {"credentials", {{"user", credentials.user}, {"password", credentials.password}}}});
  }
  stage0.push_back({{"rktVersion", "v1"},
                    {"rktKind", "paths"},
                    {"data", config.paths.data},
                    {"stage1-images", config.paths.stage1_images}});
  stage0.push_back({{"rktVersion", "v1"},
                    {"rktKind", "stage1"},
                    {"name", config.stage1.name},
                    {"version", config.stage1.version},
                    {"location", config.stage1.location}});
  ordered_json out;
  out["stage0"] = std::move(stage0);
  return out;
}

}  // namespace rkt::config

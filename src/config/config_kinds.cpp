// The v1 parsers of each configuration kind (rkt's Documentation/configuration.md).
#include <fmt/format.h>

#include <vector>

#include "config/config_layer.hpp"

namespace rkt::config {
namespace {

using nlohmann::json;

template <typename... Args>
Error invalid(const std::string& file, fmt::format_string<Args...> format, Args&&... args) {
  return Error::make(ErrorKind::invalid_argument, "{}: {}", file,
                     fmt::format(format, std::forward<Args>(args)...));
}

// A string field; "" when absent.
Result<std::string> string_field(const json& object, const char* key, const std::string& file,
                                 std::string_view where = {}) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) return invalid(file, "{}{} must be a string", where, key);
  return it->get<std::string>();
}

Result<std::string> required_string(const json& object, const char* key, const std::string& file,
                                    std::string_view where = {}) {
  RKT_TRY_ASSIGN(std::string value, string_field(object, key, file, where));
  if (value.empty()) return invalid(file, "{}{} not specified", where, key);
  return value;
}

Result<std::vector<std::string>> string_list(const json& document, const char* key,
                                             const std::string& file) {
  auto it = document.find(key);
  if (it == document.end() || it->is_null()) return invalid(file, "no {} specified", key);
  if (!it->is_array()) return invalid(file, "{} must be a list of strings", key);
  std::vector<std::string> out;
  for (const json& item : *it) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      return invalid(file, "{} must be a list of non-empty strings", key);
    }
    out.push_back(item.get<std::string>());
  }
  if (out.empty()) return invalid(file, "no {} specified", key);
  return out;
}

Result<const json*> credentials_object(const json& document, const std::string& file) {
  auto it = document.find("credentials");
  if (it == document.end() || it->is_null()) return invalid(file, "no credentials specified");
  if (!it->is_object()) return invalid(file, "credentials must be an object");
  return &*it;
}

Result<BasicCredentials> basic_credentials(const json& document, const std::string& file) {
  RKT_TRY_ASSIGN(const json* credentials, credentials_object(document, file));
  BasicCredentials out;
  RKT_TRY_ASSIGN(out.user, required_string(*credentials, "user", file, "credentials."));
  RKT_TRY_ASSIGN(out.password, required_string(*credentials, "password", file, "credentials."));
  return out;
}

Result<AuthCredentials> auth_credentials(const json& document, const std::string& type,
                                         const std::string& file) {
  if (type == "basic") {
    RKT_TRY_ASSIGN(BasicCredentials basic, basic_credentials(document, file));
    return AuthCredentials(std::move(basic));
  }
  RKT_TRY_ASSIGN(const json* credentials, credentials_object(document, file));
  if (type == "oauth") {
    RKT_TRY_ASSIGN(std::string token, required_string(*credentials, "token", file, "credentials."));
    return AuthCredentials(OAuthCredentials{std::move(token)});
  }
  if (type == "aws") {
    AwsCredentials aws;
    RKT_TRY_ASSIGN(aws.access_key_id,
                   required_string(*credentials, "accessKeyID", file, "credentials."));
    RKT_TRY_ASSIGN(aws.secret_access_key,
                   required_string(*credentials, "secretAccessKey", file, "credentials."));
    RKT_TRY_ASSIGN(aws.region, string_field(*credentials, "awsRegion", file, "credentials."));
    return AuthCredentials(std::move(aws));
  }
  return invalid(file, "unknown auth type \"{}\" (valid: basic, oauth, aws)", type);
}

// Records `key` as set by `file`, failing if another file of the same directory set it already.
Result<void> claim(std::map<std::string, std::string>& owners, const std::string& key,
                   const std::string& file, std::string_view what) {
  auto [it, inserted] = owners.emplace(key, file);
  if (inserted) return {};
  return Error::make(ErrorKind::conflict, "{} specified in both {} and {}", what, it->second, file);
}

Result<void> claim_setting(std::string& owner, const std::string& file, std::string_view what) {
  if (!owner.empty()) {
    return Error::make(ErrorKind::conflict, "{} is specified in both {} and {}", what, owner, file);
  }
  owner = file;
  return {};
}

Result<void> check_absolute(const std::string& path, const std::string& file, const char* key) {
  if (path.empty() || path.starts_with('/')) return {};
  return invalid(file, "{} must be an absolute path, got \"{}\"", key, path);
}

Result<void> check_stage1_location(const std::string& location, const std::string& file) {
  if (location.empty() || location.starts_with('/')) return {};
  size_t colon = location.find("://");
  if (colon == std::string::npos) {
    return invalid(file, "stage1 location \"{}\" is neither an absolute path nor a URL", location);
  }
  std::string scheme = location.substr(0, colon);
  if (scheme != "file" && scheme != "docker" && scheme != "http" && scheme != "https") {
    return invalid(file,
                   "stage1 location URL has invalid scheme \"{}\" (allowed: docker, file, http, "
                   "https)",
                   scheme);
  }
  return {};
}

}  // namespace

Result<void> parse_auth_v1(const json& document, const std::string& file, ConfigLayer& layer) {
  RKT_TRY_ASSIGN(auto domains, string_list(document, "domains", file));
  RKT_TRY_ASSIGN(std::string type, string_field(document, "type", file));
  if (type.empty()) return invalid(file, "no auth type specified");
  RKT_TRY_ASSIGN(AuthCredentials credentials, auth_credentials(document, type, file));
  for (const std::string& domain : domains) {
    RKT_TRY(claim(layer.auth_file, domain, file, fmt::format("auth for domain \"{}\" is", domain)));
    layer.config.auth_per_host[domain] = credentials;
  }
  return {};
}

Result<void> parse_docker_auth_v1(const json& document, const std::string& file,
                                  ConfigLayer& layer) {
  RKT_TRY_ASSIGN(auto registries, string_list(document, "registries", file));
  RKT_TRY_ASSIGN(BasicCredentials credentials, basic_credentials(document, file));
  for (const std::string& registry : registries) {
    RKT_TRY(claim(layer.docker_file, registry, file,
                  fmt::format("credentials for docker registry \"{}\" are", registry)));
    layer.config.docker_credentials_per_registry[registry] = credentials;
  }
  return {};
}

Result<void> parse_paths_v1(const json& document, const std::string& file, ConfigLayer& layer) {
  RKT_TRY_ASSIGN(std::string data, string_field(document, "data", file));
  RKT_TRY_ASSIGN(std::string stage1_images, string_field(document, "stage1-images", file));
  RKT_TRY(check_absolute(data, file, "data"));
  RKT_TRY(check_absolute(stage1_images, file, "stage1-images"));
  if (!data.empty()) {
    RKT_TRY(claim_setting(layer.data_file, file, "the data directory"));
    layer.config.paths.data = std::move(data);
  }
  if (!stage1_images.empty()) {
    RKT_TRY(claim_setting(layer.stage1_images_file, file, "the stage1 images directory"));
    layer.config.paths.stage1_images = std::move(stage1_images);
  }
  return {};
}

Result<void> parse_stage1_v1(const json& document, const std::string& file, ConfigLayer& layer) {
  RKT_TRY_ASSIGN(std::string name, string_field(document, "name", file));
  RKT_TRY_ASSIGN(std::string version, string_field(document, "version", file));
  RKT_TRY_ASSIGN(std::string location, string_field(document, "location", file));
  if (name.empty() != version.empty()) {
    return invalid(file, "default stage1 image {} specified, but {} is missing",
                   name.empty() ? "version" : "name", name.empty() ? "name" : "version");
  }
  RKT_TRY(check_stage1_location(location, file));
  if (!name.empty()) {
    RKT_TRY(claim_setting(layer.stage1_name_file, file,
                          "the name and version of the default stage1 image"));
    layer.config.stage1.name = std::move(name);
    layer.config.stage1.version = std::move(version);
  }
  if (!location.empty()) {
    RKT_TRY(claim_setting(layer.stage1_location_file, file,
                          "the location of the default stage1 image"));
    layer.config.stage1.location = std::move(location);
  }
  return {};
}

}  // namespace rkt::config

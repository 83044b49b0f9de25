#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.hpp"

namespace rkt::config {

/// auth type "basic" and dockerAuth credentials.
struct BasicCredentials {
  std::string user;
  std::string password;
  bool operator==(const BasicCredentials&) const = default;
};
/// auth type "oauth": sent as "Authorization: Bearer <token>".
struct OAuthCredentials {
  std::string token;
  bool operator==(const OAuthCredentials&) const = default;
};
/// auth type "aws": requests are signed (AWS Signature V4) rather than given a fixed header.
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region;  // may be empty
  bool operator==(const AwsCredentials&) const = default;
};
using AuthCredentials = std::variant<BasicCredentials, OAuthCredentials, AwsCredentials>;

/// paths.d: where rkt keeps its data and looks for stage1 images; empty means "default".
struct Paths {
  std::string data;
  std::string stage1_images;
  bool operator==(const Paths&) const = default;
};

/// stage1.d: the default stage1 image; name and version come together, location on its own.
struct Stage1Defaults {
  std::string name;
  std::string version;
  std::string location;  // absolute path or file://, http(s)://, docker:// URL
  bool operator==(const Stage1Defaults&) const = default;
};

/// rkt's configuration merged from the system, local and user directories.
struct Config {
  std::map<std::string, AuthCredentials> auth_per_host;                     // auth.d, kind auth
  std::map<std::string, BasicCredentials> docker_credentials_per_registry;  // kind dockerAuth
  Paths paths;
  Stage1Defaults stage1;
  bool operator==(const Config&) const = default;
};

/// Reads <dir>/{auth.d,paths.d,stage1.d}/*.json from each directory (missing ones are skipped;
/// `user_dir` may be empty) and merges them, later directories overriding earlier ones per
/// domain, registry or setting. Within one directory the same setting twice is an error naming
/// both files; so are unknown kinds, rktVersion other than "v1" and invalid values.
Result<Config> load_config(const std::filesystem::path& system_dir,
                           const std::filesystem::path& local_dir,
                           const std::filesystem::path& user_dir = {});
/// One directory's configuration, unmerged.
Result<Config> load_config_dir(const std::filesystem::path& dir);

/// What `rkt config` prints: {"stage0": [auth entries (one per domain, sorted), dockerAuth entries
/// (one per registry, sorted), paths, stage1]}, keys in rkt's order. Like rkt, unset paths and
/// stage1 fields are printed as empty strings (defaults are applied by their users, not here).
nlohmann::ordered_json config_to_json(const Config& config);

/// HTTP headers to send to `host` ("example.com" or "example.com:8080", matched exactly):
/// "Authorization: Basic <base64 user:password>" or "Authorization: Bearer <token>"; none for
/// unknown hosts and for aws, which signs each request instead (see auth_for).
std::vector<std::string> auth_headers_for(const Config& config, std::string_view host);
/// The configured credentials for `host`, or null.
const AuthCredentials* auth_for(const Config& config, std::string_view host);
/// Docker registry credentials for `registry` ("quay.io"; "index.docker.io" for Docker Hub), or
/// null.
const BasicCredentials* docker_credentials_for(const Config& config, std::string_view registry);

/// Standard base64 (with padding) of `data`.
std::string base64_encode(std::string_view data);

}  // namespace rkt::config

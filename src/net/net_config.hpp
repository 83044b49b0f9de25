#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "net/net_list.hpp"
#include "util/result.hpp"

namespace rkt::net {

namespace fs = std::filesystem;

/// One CNI network configuration (a `.conf` file, or a built-in one).
struct NetConfig {
  std::string name;
  std::string type;  // the plugin
  bool ip_masq = false;
  nlohmann::json json;  // the whole configuration, as given to the plugin
  std::string source;   // the file it came from, or "builtin"
};

/// The subnets of rkt's built-in networks.
inline constexpr const char* k_default_subnet = "172.16.28.0/24";
inline constexpr const char* k_default_restricted_subnet = "172.31.0.0/16";

/// Parses one configuration: JSON with string "name" and "type" (`source` names it in errors).
Result<NetConfig> parse_net_config(std::string_view text, const std::string& source);

/// rkt's built-in `default` (ptp, IP masquerade, default route) and `default-restricted` (ptp,
/// no masquerade, no route out) networks.
NetConfig builtin_network(std::string_view name);

/// The user networks of `net_d` (<local-config>/net.d/*.conf) in file-name order; a name already
/// seen is skipped with a warning. A missing directory has none; an unreadable or malformed file
/// is an error.
Result<std::vector<NetConfig>> load_user_networks(const fs::path& net_d);

/// The networks a contained --net list asks for, in rkt's order: the requested (or, with `all`,
/// every) user network in file order, then the built-in `default` / `default-restricted` when
/// asked for and not overridden by a user network of the same name. Names that match nothing:
/// "networks not found: a, b".
Result<std::vector<NetConfig>> select_networks(const NetList& list, const fs::path& local_config);

}  // namespace rkt::net

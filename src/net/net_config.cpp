#include "net/net_config.hpp"

#include <algorithm>
#include <set>

#include "util/file.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace rkt::net {

namespace {

nlohmann::json ptp_config(std::string_view name, const char* subnet, bool masquerade) {
  nlohmann::json ipam = {{"type", "host-local"}, {"subnet", subnet}};
  if (masquerade) ipam["routes"] = nlohmann::json::array({{{"dst", "0.0.0.0/0"}}});
  return {{"cniVersion", "0.3.1"},
          {"name", name},
          {"type", "ptp"},
          {"ipMasq", masquerade},
          {"ipam", ipam}};
}

}  // namespace

Result<NetConfig> parse_net_config(std::string_view text, const std::string& source) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return Error::make(ErrorKind::invalid_argument, "network config {}: not a JSON object", source);
  }
  NetConfig config;
  auto name = json.find("name");
  auto type = json.find("type");
  if (name == json.end() || !name->is_string() || name->get<std::string>().empty()) {
    return Error::make(ErrorKind::invalid_argument, "network config {}: no \"name\"", source);
  }
  if (type == json.end() || !type->is_string() || type->get<std::string>().empty()) {
    return Error::make(ErrorKind::invalid_argument, "network config {}: no \"type\"", source);
  }
  config.name = name->get<std::string>();
  config.type = type->get<std::string>();
  auto masq = json.find("ipMasq");
  config.ip_masq = masq != json.end() && masq->is_boolean() && masq->get<bool>();
  if (!json.contains("cniVersion")) json["cniVersion"] = "0.3.1";
  config.json = std::move(json);
  config.source = source;
  return config;
}

NetConfig builtin_network(std::string_view name) {
  bool is_default = name == "default";
  NetConfig config;
  config.name = std::string(name);
  config.type = "ptp";
  config.ip_masq = is_default;
  config.json =
      ptp_config(name, is_default ? k_default_subnet : k_default_restricted_subnet, is_default);
  config.source = "builtin";
  return config;
}

Result<std::vector<NetConfig>> load_user_networks(const fs::path& net_d) {
  std::vector<NetConfig> configs;
  std::error_code ec;
  if (!fs::is_directory(net_d, ec)) return configs;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(net_d, ec)) {
    if (entry.path().extension() == ".conf") files.push_back(entry.path());
  }
  if (ec) return Error::from_errno(ec.value(), "reading `{}`", net_d.string());
  std::sort(files.begin(), files.end());
  std::set<std::string> names;
  for (const auto& file : files) {
    RKT_TRY_ASSIGN(auto text, util::read_file(file));
    RKT_TRY_ASSIGN(auto config, parse_net_config(text, file.string()));
    if (!names.insert(config.name).second) {
      log::warn("network config {}: network \"{}\" is defined already; ignoring it", file.string(),
                config.name);
      continue;
    }
    configs.push_back(std::move(config));
  }
  return configs;
}

Result<std::vector<NetConfig>> select_networks(const NetList& list, const fs::path& local_config) {
  std::vector<NetConfig> user;
  if (!local_config.empty()) {
    RKT_TRY_ASSIGN(user, load_user_networks(local_config / "net.d"));
  }
  std::vector<NetConfig> selected;
  for (auto& config : user) {
    if (list.all() || list.has(config.name)) selected.push_back(std::move(config));
  }
  auto chosen = [&](std::string_view name) {
    return std::any_of(selected.begin(), selected.end(),
                       [&](const NetConfig& c) { return c.name == name; });
  };
  for (const char* builtin : {"default", "default-restricted"}) {
    bool wanted = list.has(builtin) || (list.all() && std::string_view(builtin) == "default");
    if (wanted && !chosen(builtin)) selected.push_back(builtin_network(builtin));
  }
  std::vector<std::string> missing;
  for (const auto& net : list.nets) {
    if (net.name != "all" && !chosen(net.name)) missing.push_back(net.name);
  }
  if (!missing.empty()) {
    return Error::make(ErrorKind::not_found, "networks not found: {}", util::join(missing, ", "));
  }
  return selected;
}

}  // namespace rkt::net

#include "net/pod_network.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "net/cni.hpp"
#include "net/netns.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace rkt::net {

namespace {

/// What net/<ifname>.json holds: enough to run DEL without the original configuration files.
struct NetRecord {
  int index = 0;
  std::string ifname;
  std::string args;
  std::vector<std::string> plugin_dirs;
  NetConfig config;
};

nlohmann::json record_json(const NetRecord& record) {
  return {{"index", record.index},
          {"ifName", record.ifname},
          {"args", record.args},
          {"pluginDirs", record.plugin_dirs},
          {"confPath", record.config.source},
          {"config", record.config.json}};
}

Result<NetRecord> parse_record(const fs::path& file) {
  RKT_TRY_ASSIGN(auto text, util::read_file(file));
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object() || !json.contains("config")) {
    return Error::make(ErrorKind::invalid_argument, "`{}`: not a network record", file.string());
  }
  NetRecord record;
  record.index = json.value("index", 0);
  record.ifname = json.value("ifName", "");
  record.args = json.value("args", "");
  record.plugin_dirs = json.value("pluginDirs", std::vector<std::string>{});
  RKT_TRY_ASSIGN(record.config, parse_net_config(json["config"].dump(), file.string()));
  record.config.source = json.value("confPath", "");
  return record;
}

/// The records of net/, ordered by interface index.
std::vector<NetRecord> read_records(const fs::path& dir) {
  std::vector<NetRecord> records;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto& path = entry.path();
    if (path.extension() != ".json" || util::ends_with(path.string(), ".result.json")) continue;
    auto record = parse_record(path);
    if (!record) {
      log::warn("{}", record.error().message);
      continue;
    }
    records.push_back(std::move(*record));
  }
  std::sort(records.begin(), records.end(),
            [](const NetRecord& a, const NetRecord& b) { return a.index < b.index; });
  return records;
}

PluginCall call_of(const NetRecord& record, const std::string& command, std::string_view uuid,
                   const fs::path& netns) {
  return PluginCall{command,       std::string(uuid), netns.string(),
                    record.ifname, record.args,       record.plugin_dirs};
}

nlohmann::json info_json(const NetInfo& info) {
  return {{"netName", info.net_name},
          {"netConf", info.net_conf},
          {"pluginPath", info.plugin_path},
          {"ifName", info.if_name},
          {"ip", info.ip},
          {"args", info.args},
          {"mask", info.mask},
          {"hostIP", info.host_ip}};
}

Result<void> write_json(const fs::path& path, const nlohmann::json& json) {
  return util::write_file_atomic(path, json.dump(2) + "\n", 0644, util::Durability::no_fsync);
}

/// ADD for one network; the record goes to disk first.
Result<NetInfo> add_network(const PodNetworkRequest& request, const fs::path& netns,
                            NetRecord record, PodNetwork& network) {
  fs::path dir = net_dir(request.pod_dir);
  RKT_TRY(write_json(dir / (record.ifname + ".json"), record_json(record)));
  RKT_TRY_ASSIGN(auto output,
                 call_plugin(record.config, call_of(record, "ADD", request.uuid, netns)));
  RKT_TRY(util::write_file_atomic(dir / (record.ifname + ".result.json"), output, 0644,
                                  util::Durability::no_fsync));
  auto result = parse_result(output);
  if (!result) return std::move(result).error().wrap("network \"{}\"", record.config.name);
  if (network.dns.empty()) {
    network.dns = DnsConfig{result->nameservers, result->search, result->options, result->domain};
  }
  return NetInfo{record.config.name, record.config.source, record.config.type, record.ifname,
                 result->ip,         record.args,          result->mask,       result->gateway};
}

/// The network ports are forwarded to: the first with IP masquerade, else the last.
const NetInfo* forwarding_target(const std::vector<NetInfo>& nets,
                                 const std::vector<NetConfig>& configs) {
  for (size_t i = 0; i < configs.size(); ++i) {
    if (configs[i].ip_masq) return &nets[i];
  }
  return nets.empty() ? nullptr : &nets.back();
}

std::string args_for(const NetList& list, const std::string& name) {
  for (const auto& net : list.nets) {
    if (net.name == name) return net.args;
  }
  return "";
}

Result<PodNetwork> set_up(const PodNetworkRequest& request) {
  RKT_TRY_ASSIGN(auto configs, select_networks(request.list, request.local_config));
  PodNetwork network;
  network.netns = pod_netns_path(request.uuid);
  RKT_TRY(util::make_dirs(net_dir(request.pod_dir)));
  RKT_TRY(create_netns(network.netns));
  RKT_TRY(util::write_file_atomic(netns_file(request.pod_dir), network.netns.string(), 0644,
                                  util::Durability::no_fsync));
  auto dirs = plugin_dirs(request.local_config, request.stage1_rootfs);
  for (size_t i = 0; i < configs.size(); ++i) {
    NetRecord record{static_cast<int>(i), "eth" + std::to_string(i),
                     args_for(request.list, configs[i].name), dirs, configs[i]};
    RKT_TRY_ASSIGN(auto info, add_network(request, network.netns, std::move(record), network));
    network.nets.push_back(std::move(info));
  }
  if (!request.ports.empty()) {
    const NetInfo* target = forwarding_target(network.nets, configs);
    if (!target || target->ip.empty()) {
      return Error::make(ErrorKind::invalid_argument, "no network to forward ports to");
    }
    RKT_TRY(forward_ports(request.uuid, target->ip, request.ports));
  }
  nlohmann::json infos = nlohmann::json::array();
  for (const auto& info : network.nets) infos.push_back(info_json(info));
  RKT_TRY(write_json(net_info_file(request.pod_dir), infos));
  return network;
}

void keep_first(Result<void>& first, Result<void> next) {
  if (first && !next) first = std::move(next);
}

}  // namespace

fs::path netns_file(const fs::path& pod_dir) {
  return pod_dir / "netns";
}
fs::path net_dir(const fs::path& pod_dir) {
  return pod_dir / "net";
}
fs::path net_info_file(const fs::path& pod_dir) {
  return pod_dir / "net-info.json";
}

Result<PodNetwork> setup_pod_network(const PodNetworkRequest& request) {
  auto network = set_up(request);
  if (network) return network;
  if (auto undone = teardown_pod_network(request.pod_dir, request.uuid); !undone) {
    log::warn("cleaning up the networks of pod {}: {}", request.uuid, undone.error().message);
  }
  return std::move(network).error().wrap("stage1: failed to setup network");
}

Result<void> teardown_pod_network(const fs::path& pod_dir, std::string_view uuid) {
  fs::path dir = net_dir(pod_dir);
  fs::path netns = pod_netns_path(uuid);
  bool has_netns = util::path_exists(netns);
  if (!util::is_dir(dir) && !has_netns) return {};
  Result<void> first;
  keep_first(first, unforward_ports(uuid));
  auto records = read_records(dir);
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    auto deleted = call_plugin(it->config, call_of(*it, "DEL", uuid, has_netns ? netns : ""));
    if (!deleted) keep_first(first, std::move(deleted).error());
  }
  keep_first(first, remove_netns(netns));
  if (!first) return first;
  keep_first(first, util::remove_all(dir));
  keep_first(first, util::remove_all(netns_file(pod_dir)));
  keep_first(first, util::remove_all(net_info_file(pod_dir)));
  return first;
}

std::vector<NetInfo> read_net_info(const fs::path& pod_dir) {
  std::vector<NetInfo> nets;
  auto text = util::read_file(net_info_file(pod_dir));
  if (!text) return nets;
  nlohmann::json json = nlohmann::json::parse(*text, nullptr, false);
  if (!json.is_array()) return nets;
  for (const auto& entry : json) {
    if (!entry.is_object()) continue;
    nets.push_back(NetInfo{entry.value("netName", ""), entry.value("netConf", ""),
                           entry.value("pluginPath", ""), entry.value("ifName", ""),
                           entry.value("ip", ""), entry.value("args", ""), entry.value("mask", ""),
                           entry.value("hostIP", "")});
  }
  return nets;
}

std::string format_networks(const std::vector<NetInfo>& nets) {
  std::vector<std::string> parts;
  for (const auto& net : nets) parts.push_back(net.net_name + ":ip4=" + net.ip);
  return util::join(parts, ",");
}

}  // namespace rkt::net

#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "net/net_config.hpp"
#include "util/result.hpp"

namespace rkt::net {

/// One call of a CNI plugin (CNI spec: the CNI_* environment and the configuration on stdin).
struct PluginCall {
  std::string command;                   // ADD or DEL
  std::string container_id;              // the pod's UUID
  std::string netns;                     // the namespace's path
  std::string ifname;                    // eth0, eth1, ...
  std::string args;                      // CNI_ARGS
  std::vector<std::string> plugin_dirs;  // CNI_PATH, in search order
};

/// Where plugins are looked for, in order (rkt's places, then Debian's):
/// <local-config>/net.d, /usr/lib/rkt/plugins/net, <stage1 rootfs>/usr/lib/rkt/plugins/net,
/// /usr/lib/cni.
std::vector<std::string> plugin_dirs(const fs::path& local_config, const fs::path& stage1_rootfs);

/// Runs the plugin of `config` (its "type") and returns its stdout (the result of ADD). A missing
/// plugin, or one that fails, is an error with the plugin's own message (CNI's error JSON
/// "msg"/"details", else its stderr).
Result<std::string> call_plugin(const NetConfig& config, const PluginCall& call);

/// What list/status and the DNS files need of an ADD result (CNI 0.1/0.2 "ip4" or 0.3+ "ips").
struct NetResult {
  std::string ip;       // 172.16.28.2
  std::string mask;     // 255.255.255.0
  std::string gateway;  // 172.16.28.1: the host's side for ptp
  std::vector<std::string> nameservers, search, options;
  std::string domain;
};

Result<NetResult> parse_result(std::string_view text);

}  // namespace rkt::net

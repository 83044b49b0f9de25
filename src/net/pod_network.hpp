#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "net/dns.hpp"
#include "net/net_list.hpp"
#include "net/port_forward.hpp"
#include "util/result.hpp"

namespace rkt::net {

namespace fs = std::filesystem;

/// What stage0 needs to give a pod its networks.
struct PodNetworkRequest {
  std::string uuid;
  fs::path pod_dir;
  NetList list;  // contained (not host, not none)
  fs::path local_config;
  fs::path stage1_rootfs;
  std::vector<ForwardedPort> ports;
};

/// One network a pod joined, as `net-info.json` keeps it (rkt's field names) for list/status.
struct NetInfo {
  std::string net_name;     // "default"
  std::string net_conf;     // the config file, or "builtin"
  std::string plugin_path;  // the plugin's type
  std::string if_name;      // "eth0"
  std::string ip;           // "172.16.28.2"
  std::string args;         // CNI_ARGS
  std::string mask;         // "255.255.255.0"
  std::string host_ip;      // the gateway: the host's side
  bool operator==(const NetInfo&) const = default;
};

/// The networks of a running pod.
struct PodNetwork {
  fs::path netns;
  std::vector<NetInfo> nets;
  DnsConfig dns;  // the first DNS a plugin returned
};

/// Files of the pod directory (rkt's on-disk names).
fs::path netns_file(const fs::path& pod_dir);     // `netns`: the namespace's path
fs::path net_dir(const fs::path& pod_dir);        // `net/`: one record and result per network
fs::path net_info_file(const fs::path& pod_dir);  // `net-info.json`

/// Creates the pod's network namespace (/run/netns/rkt-<uuid>), runs CNI ADD for each network
/// of the list in order (eth0, eth1, ...; each network's record is saved in net/ before its ADD,
/// so that a crash leaves enough for teardown), forwards the ports to the first network with IP
/// masquerade (else the last), and writes net-info.json. On failure everything done so far is
/// undone and the error reads "stage1: failed to setup network: <reason>" (rkt's words).
Result<PodNetwork> setup_pod_network(const PodNetworkRequest& request);

/// Undoes setup_pod_network from what the pod directory holds: removes forwarded ports, runs CNI
/// DEL for each recorded network in reverse order, removes the namespace, then the records.
/// Every step is tried; the first failure is returned. A pod without networks has nothing to do.
Result<void> teardown_pod_network(const fs::path& pod_dir, std::string_view uuid);

/// The networks recorded in net-info.json (none if there is no such file).
std::vector<NetInfo> read_net_info(const fs::path& pod_dir);

/// "default:ip4=172.16.28.2,net1:ip4=10.1.0.2": list's NETWORKS column and status's networks=.
std::string format_networks(const std::vector<NetInfo>& nets);

}  // namespace rkt::net

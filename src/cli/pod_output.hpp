#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "cli/output.hpp"
#include "net/pod_network.hpp"
#include "pod/pod.hpp"

namespace rkt::cli {

/// One app of a pod as `list` and `status` show it.
struct PodAppView {
  std::string name;
  std::string image_name;  // name:version
  std::string image_id;    // the store key ("sha512-<64 hex>")
  std::optional<int> exit_status;
};

/// What `list` and `status` show of a pod.
struct PodView {
  std::string uuid;
  std::string state;
  std::optional<util::Clock::time_point> created;
  std::optional<util::Clock::time_point> started;
  std::optional<pid_t> pid;
  std::vector<PodAppView> apps;
  std::vector<net::NetInfo> nets;  // the CNI networks of a running pod
  std::string networks;            // "default:ip4=172.16.28.2,net1:ip4=10.1.0.2"
};

/// Collects the view of a loaded pod (missing parts are left empty, not errors).
PodView view_of(const pod::Pod& pod);
/// rkt's JSON of a pod (lib.Pod): name, state, networks, app_names, created_at, started_at, ...
nlohmann::json pod_json(const PodView& view);
/// A time as list/status print it: absolute with --full or in status, else relative.
std::string format_pod_time(const std::optional<util::Clock::time_point>& time, bool full);

}  // namespace rkt::cli

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::net {

/// One entry of --net: a network name and its CNI_ARGS ("net1:IP=1.2.3.4;K=V").
struct NetRequest {
  std::string name;
  std::string args;
  bool operator==(const NetRequest&) const = default;
};

/// rkt's --net list: `default` (also for an empty list), `default-restricted`, `host`, `none`,
/// `all`, or user networks of <local-config>/net.d, each at most once.
struct NetList {
  std::vector<NetRequest> nets;

  bool host() const { return nets.size() == 1 && nets[0].name == "host"; }
  bool none() const { return nets.size() == 1 && nets[0].name == "none"; }
  bool all() const { return has("all"); }
  /// Whether the pod gets a network namespace of its own with CNI networks.
  bool contained() const { return !host() && !none(); }
  bool has(std::string_view name) const;
  /// "default,net1:IP=1.2.3.4", as given (for the stage1 and messages).
  std::string to_string() const;
};

/// Parses the comma-joined --net values. `host` and `none` stand alone; `host`, `none` and
/// `all` take no arguments; a name appears at most once.
Result<NetList> parse_net_list(std::string_view text);

}  // namespace rkt::net

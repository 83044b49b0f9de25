#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "appc/manifest.hpp"
#include "util/result.hpp"

namespace rkt::net {

/// A host port forwarded to a port of the pod (--port NAME:[HOSTIP:]HOSTPORT).
struct ForwardedPort {
  std::string name;
  std::string protocol;  // tcp or udp
  uint32_t host_port = 0;
  std::string host_ip;  // empty: every local address
  uint32_t pod_port = 0;
  bool operator==(const ForwardedPort&) const = default;
};

/// The pod manifest's exposed ports with protocol and pod port taken from the app that defines
/// the port's name (or from the exposed port's own podPort). A name defined by two apps, or
/// forwarding the same host port and protocol twice, is an error.
Result<std::vector<ForwardedPort>> resolve_ports(const appc::PodManifest& manifest);

/// The iptables nat chains of a pod: RKT-PFWD-DNAT-<uuid[:8]>, RKT-PFWD-SNAT-<uuid[:8]>.
std::string dnat_chain(std::string_view uuid);
std::string snat_chain(std::string_view uuid);

/// Forwards `ports` to `pod_ip` as rkt did: DNAT from PREROUTING and OUTPUT (destination a local
/// address), so other hosts and the host itself reach the pod; connections from 127.0.0.1 are
/// masqueraded (POSTROUTING) and route_localnet is turned on for the host interface that leads
/// to the pod, so that localhost works too.
Result<void> forward_ports(std::string_view uuid, const std::string& pod_ip,
                           const std::vector<ForwardedPort>& ports);

/// Removes the pod's chains and the rules jumping to them (whatever of them exists).
Result<void> unforward_ports(std::string_view uuid);

/// The host interface that routes to `ip` (longest prefix in /proc/net/route), or "".
std::string route_interface(const std::string& ip);

}  // namespace rkt::net

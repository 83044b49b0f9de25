#include "net/port_forward.hpp"

#include <arpa/inet.h>

#include <fstream>
#include <set>
#include <sstream>

#include "net/exec.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::net {

namespace {

const std::vector<std::string> k_sbin_dirs = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};

struct Jump {
  const char* chain;
  std::vector<std::string> match;
  bool dnat;
};

std::vector<Jump> jumps() {
  return {{"PREROUTING", {"-m", "addrtype", "--dst-type", "LOCAL"}, true},
          {"OUTPUT", {"-m", "addrtype", "--dst-type", "LOCAL"}, true},
          {"POSTROUTING", {"-s", "127.0.0.1", "!", "-d", "127.0.0.1"}, false}};
}

Result<ExecOutput> iptables(std::vector<std::string> args) {
  std::string binary = find_executable("iptables", k_sbin_dirs);
  if (binary.empty()) return Error::make(ErrorKind::not_found, "iptables not found");
  args.insert(args.begin(), {binary, "-w", "-t", "nat"});
  return exec_captured(args, {}, "");
}

Result<void> iptables_checked(std::vector<std::string> args) {
  std::string shown = util::join(args, " ");
  RKT_TRY_ASSIGN(auto output, iptables(std::move(args)));
  if (output.status != 0) {
    return Error::make(ErrorKind::io, "iptables {}: {}", shown, util::trim(output.err));
  }
  return {};
}

std::vector<std::string> jump_rule(const Jump& jump, std::string_view uuid) {
  std::vector<std::string> rule = jump.match;
  rule.insert(rule.end(), {"-j", jump.dnat ? dnat_chain(uuid) : snat_chain(uuid)});
  return rule;
}

Result<void> add_port_rules(std::string_view uuid, const std::string& pod_ip,
                            const ForwardedPort& port) {
  std::vector<std::string> dnat = {"-A", dnat_chain(uuid), "-p", port.protocol};
  if (!port.host_ip.empty()) dnat.insert(dnat.end(), {"-d", port.host_ip});
  dnat.insert(dnat.end(), {"--dport", std::to_string(port.host_port), "-j", "DNAT",
                           "--to-destination", pod_ip + ":" + std::to_string(port.pod_port)});
  RKT_TRY(iptables_checked(dnat));
  return iptables_checked({"-A", snat_chain(uuid), "-p", port.protocol, "-d", pod_ip, "--dport",
                           std::to_string(port.pod_port), "-j", "MASQUERADE"});
}

Result<void> enable_route_localnet(const std::string& pod_ip) {
  std::string interface = route_interface(pod_ip);
  if (interface.empty()) {
    return Error::make(ErrorKind::not_found, "no host interface routes to {}", pod_ip);
  }
  std::string knob = "/proc/sys/net/ipv4/conf/" + interface + "/route_localnet";
  std::ofstream out(knob);
  out << "1\n";
  if (!out.flush()) return Error::make(ErrorKind::io, "cannot write `{}`", knob);
  return {};
}

const appc::Port* find_app_port(const appc::PodManifest& manifest, const std::string& name,
                                int& count) {
  const appc::Port* found = nullptr;
  count = 0;
  for (const auto& app : manifest.apps) {
    if (!app.app) continue;
    for (const auto& port : app.app->ports) {
      if (port.name == name) {
        found = &port;
        ++count;
      }
    }
  }
  return found;
}

}  // namespace

std::string dnat_chain(std::string_view uuid) {
  return "RKT-PFWD-DNAT-" + std::string(uuid.substr(0, 8));
}

std::string snat_chain(std::string_view uuid) {
  return "RKT-PFWD-SNAT-" + std::string(uuid.substr(0, 8));
}

Result<std::vector<ForwardedPort>> resolve_ports(const appc::PodManifest& manifest) {
  std::vector<ForwardedPort> ports;
  std::set<std::pair<uint32_t, std::string>> seen;
  for (const auto& exposed : manifest.ports) {
    ForwardedPort port{exposed.name, "tcp", exposed.host_port, exposed.host_ip, 0};
    const appc::Port* app_port = exposed.pod_port ? &*exposed.pod_port : nullptr;
    int count = 1;
    if (!app_port) app_port = find_app_port(manifest, exposed.name, count);
    if (!app_port) {
      return Error::make(ErrorKind::invalid_argument, "port name \"{}\" is not defined by any app",
                         exposed.name);
    }
    if (count > 1) {
      return Error::make(ErrorKind::invalid_argument,
                         "port name \"{}\" is defined by more than one app", exposed.name);
    }
    if (!app_port->protocol.empty()) port.protocol = util::to_lower(app_port->protocol);
    port.pod_port = app_port->port;
    if (!seen.insert({port.host_port, port.protocol}).second) {
      return Error::make(ErrorKind::invalid_argument, "host port {}/{} is forwarded twice",
                         port.host_port, port.protocol);
    }
    ports.push_back(std::move(port));
  }
  return ports;
}

Result<void> forward_ports(std::string_view uuid, const std::string& pod_ip,
                           const std::vector<ForwardedPort>& ports) {
  if (ports.empty()) return {};
  RKT_TRY(iptables_checked({"-N", dnat_chain(uuid)}));
  RKT_TRY(iptables_checked({"-N", snat_chain(uuid)}));
  for (const auto& port : ports) RKT_TRY(add_port_rules(uuid, pod_ip, port));
  for (const auto& jump : jumps()) {
    std::vector<std::string> rule = {"-A", jump.chain};
    auto body = jump_rule(jump, uuid);
    rule.insert(rule.end(), body.begin(), body.end());
    RKT_TRY(iptables_checked(rule));
  }
  return enable_route_localnet(pod_ip);
}

Result<void> unforward_ports(std::string_view uuid) {
  for (const auto& jump : jumps()) {
    std::vector<std::string> rule = {"-D", jump.chain};
    auto body = jump_rule(jump, uuid);
    rule.insert(rule.end(), body.begin(), body.end());
    // A rule may have been added more than once by hand; remove until none is left.
    for (int i = 0; i < 16; ++i) {
      RKT_TRY_ASSIGN(auto output, iptables(rule));
      if (output.status != 0) break;
    }
  }
  for (const auto& chain : {dnat_chain(uuid), snat_chain(uuid)}) {
    RKT_TRY_ASSIGN(auto listed, iptables({"-S", chain}));
    if (listed.status != 0) continue;  // no such chain
    RKT_TRY(iptables_checked({"-F", chain}));
    RKT_TRY(iptables_checked({"-X", chain}));
  }
  return {};
}

std::string route_interface(const std::string& ip) {
  in_addr target{};
  if (::inet_pton(AF_INET, ip.c_str(), &target) != 1) return "";
  auto table = util::read_file("/proc/net/route");
  if (!table) return "";
  std::istringstream lines(*table);
  std::string line;
  std::getline(lines, line);  // header
  std::string best;
  int best_bits = -1;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string iface, dest_hex, gateway_hex, flags, refcnt, use, metric, mask_hex;
    if (!(fields >> iface >> dest_hex >> gateway_hex >> flags >> refcnt >> use >> metric >>
          mask_hex)) {
      continue;
    }
    // /proc/net/route prints addresses as hex of the in-memory (network order) value.
    uint32_t dest = static_cast<uint32_t>(std::stoul(dest_hex, nullptr, 16));
    uint32_t mask = static_cast<uint32_t>(std::stoul(mask_hex, nullptr, 16));
    if ((target.s_addr & mask) != dest) continue;
    int bits = __builtin_popcount(mask);
    if (bits > best_bits) {
      best_bits = bits;
      best = iface;
    }
  }
  return best;
}

}  // namespace rkt::net

#include "net/cni.hpp"

#include <arpa/inet.h>

#include "net/exec.hpp"
#include "util/strings.hpp"

namespace rkt::net {

namespace {

std::string plugin_failure(const ExecOutput& output) {
  nlohmann::json json = nlohmann::json::parse(output.out, nullptr, false);
  if (json.is_object() && json.contains("msg") && json["msg"].is_string()) {
    std::string message = json["msg"].get<std::string>();
    if (json.contains("details") && json["details"].is_string() &&
        !json["details"].get<std::string>().empty()) {
      message += ": " + json["details"].get<std::string>();
    }
    return message;
  }
  std::string_view err = util::trim(output.err);
  if (!err.empty()) return std::string(err);
  std::string_view out = util::trim(output.out);
  if (!out.empty()) return std::string(out);
  return fmt::format("exit status {}", output.status);
}

std::vector<std::string> strings_of(const nlohmann::json& json, const char* key) {
  std::vector<std::string> values;
  auto it = json.find(key);
  if (it == json.end() || !it->is_array()) return values;
  for (const auto& value : *it) {
    if (value.is_string()) values.push_back(value.get<std::string>());
  }
  return values;
}

std::string string_of(const nlohmann::json& json, const char* key) {
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string prefix_mask(int bits) {
  uint32_t mask = bits <= 0 ? 0 : bits >= 32 ? 0xffffffffu : ~((1u << (32 - bits)) - 1);
  in_addr addr{htonl(mask)};
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &addr, text, sizeof text);
  return text;
}

/// "172.16.28.2/24" -> ip and mask; false if not IPv4 CIDR.
bool split_cidr(const std::string& cidr, NetResult& result) {
  size_t slash = cidr.find('/');
  std::string ip = cidr.substr(0, slash);
  in_addr addr{};
  if (::inet_pton(AF_INET, ip.c_str(), &addr) != 1) return false;
  result.ip = ip;
  int bits = slash == std::string::npos ? 32 : std::atoi(cidr.c_str() + slash + 1);
  result.mask = prefix_mask(bits);
  return true;
}

}  // namespace

std::vector<std::string> plugin_dirs(const fs::path& local_config, const fs::path& stage1_rootfs) {
  std::vector<std::string> dirs;
  if (!local_config.empty()) dirs.push_back((local_config / "net.d").string());
  dirs.push_back("/usr/lib/rkt/plugins/net");
  if (!stage1_rootfs.empty()) dirs.push_back((stage1_rootfs / "usr/lib/rkt/plugins/net").string());
  dirs.push_back("/usr/lib/cni");
  return dirs;
}

Result<std::string> call_plugin(const NetConfig& config, const PluginCall& call) {
  std::string plugin = find_executable(config.type, call.plugin_dirs);
  if (plugin.empty()) {
    return Error::make(ErrorKind::not_found, "network \"{}\": plugin \"{}\" not found in {}",
                       config.name, config.type, util::join(call.plugin_dirs, ":"));
  }
  std::vector<std::string> env = {
      "CNI_COMMAND=" + call.command, "CNI_CONTAINERID=" + call.container_id,
      "CNI_NETNS=" + call.netns,     "CNI_IFNAME=" + call.ifname,
      "CNI_ARGS=" + call.args,       "CNI_PATH=" + util::join(call.plugin_dirs, ":"),
  };
  auto output = exec_captured({plugin}, env, config.json.dump());
  if (!output) return std::move(output).error().wrap("network \"{}\": {}", config.name, plugin);
  if (output->status != 0) {
    return Error::make(ErrorKind::io, "network \"{}\": plugin {} {} failed: {}", config.name,
                       config.type, call.command, plugin_failure(*output));
  }
  return std::move(output->out);
}

Result<NetResult> parse_result(std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) {
    return Error::make(ErrorKind::invalid_argument, "plugin result is not a JSON object");
  }
  NetResult result;
  if (auto ip4 = json.find("ip4"); ip4 != json.end() && ip4->is_object()) {  // CNI 0.1, 0.2
    split_cidr(string_of(*ip4, "ip"), result);
    result.gateway = string_of(*ip4, "gateway");
  } else if (auto ips = json.find("ips"); ips != json.end() && ips->is_array()) {  // 0.3+
    for (const auto& ip : *ips) {
      if (ip.is_object() && split_cidr(string_of(ip, "address"), result)) {
        result.gateway = string_of(ip, "gateway");
        break;
      }
    }
  }
  if (auto dns = json.find("dns"); dns != json.end() && dns->is_object()) {
    result.nameservers = strings_of(*dns, "nameservers");
    result.search = strings_of(*dns, "search");
    result.options = strings_of(*dns, "options");
    result.domain = string_of(*dns, "domain");
  }
  return result;
}

}  // namespace rkt::net

#include "net/net_list.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace rkt::net {

namespace {

Error invalid(std::string message) {
  return Error{ErrorKind::invalid_argument, 0, std::move(message)};
}

}  // namespace

bool NetList::has(std::string_view name) const {
  return std::any_of(nets.begin(), nets.end(), [&](const NetRequest& n) { return n.name == name; });
}

std::string NetList::to_string() const {
  std::vector<std::string> parts;
  for (const auto& net : nets)
    parts.push_back(net.args.empty() ? net.name : net.name + ":" + net.args);
  return util::join(parts, ",");
}

Result<NetList> parse_net_list(std::string_view text) {
  NetList list;
  for (const auto& item : util::split(text, ',')) {
    std::string_view entry = util::trim(item);
    if (entry.empty()) continue;
    NetRequest net;
    size_t colon = entry.find(':');
    net.name = std::string(entry.substr(0, colon));
    if (colon != std::string_view::npos) net.args = std::string(entry.substr(colon + 1));
    if (net.name.empty()) return invalid(fmt::format("--net: \"{}\" has no network name", entry));
    if (list.has(net.name))
      return invalid(fmt::format("--net: network \"{}\" given twice", net.name));
    bool special = net.name == "host" || net.name == "none" || net.name == "all";
    if (special && colon != std::string_view::npos) {
      return invalid(fmt::format("--net: \"{}\" takes no arguments", net.name));
    }
    list.nets.push_back(std::move(net));
  }
  if (list.nets.empty()) list.nets.push_back({"default", ""});
  if (list.nets.size() > 1 && (list.has("host") || list.has("none"))) {
    return invalid(
        fmt::format("--net={}: \"host\" and \"none\" cannot be combined with other networks",
                    list.to_string()));
  }
  return list;
}

}  // namespace rkt::net

#include "stage1/args.hpp"

#include <charconv>
#include <map>
#include <optional>
#include <string_view>

#include "util/strings.hpp"

namespace rkt::stage1 {

namespace {

/// A flag's target: a bool, a string, or a pid.
struct FlagTarget {
  bool* boolean = nullptr;
  std::string* text = nullptr;
  pid_t* pid = nullptr;
};

Result<void> assign(std::string_view name, const FlagTarget& target,
                    std::optional<std::string_view> value) {
  if (target.boolean) {
    if (!value || *value == "true") {
      *target.boolean = true;
    } else if (*value == "false") {
      *target.boolean = false;
    } else {
      return Error::make(ErrorKind::invalid_argument, "invalid value \"{}\" for --{}", *value,
                         name);
    }
    return {};
  }
  if (!value) return Error::make(ErrorKind::invalid_argument, "flag --{} needs a value", name);
  if (target.text) {
    *target.text = std::string(*value);
    return {};
  }
  int number = 0;
  auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), number);
  if (ec != std::errc() || ptr != value->data() + value->size() || number <= 0) {
    return Error::make(ErrorKind::invalid_argument, "invalid value \"{}\" for --{}", *value, name);
  }
  *target.pid = number;
  return {};
}

/// Parses flags into `flags` and returns the positional arguments (everything after `--` too).
Result<std::vector<std::string>> parse_flags(
    const std::vector<std::string>& args,
    const std::map<std::string, FlagTarget, std::less<>>& flags,
    std::vector<std::string>* after_dashes = nullptr) {
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") {
      auto& rest = after_dashes ? *after_dashes : positional;
      rest.insert(rest.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      positional.push_back(std::string(arg));
      continue;
    }
    arg.remove_prefix(2);
    std::optional<std::string_view> value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto it = flags.find(arg);
    if (it == flags.end())
      return Error::make(ErrorKind::invalid_argument, "unknown flag --{}", arg);
    if (!value && !it->second.boolean && i + 1 < args.size()) value = args[++i];
    RKT_TRY(assign(arg, it->second, value));
  }
  return positional;
}

Result<std::string> single_uuid(const std::vector<std::string>& positional) {
  if (positional.size() != 1) {
    return Error::make(ErrorKind::invalid_argument, "expected exactly one pod UUID, got {}",
                       positional.size());
  }
  return positional[0];
}

/// host and none are the stage1's own; any other list is stage0's CNI networks, in --netns.
Result<NetMode> net_mode(const std::string& net, const std::string& netns) {
  if (net == "host" || net == "none") {
    if (!netns.empty()) {
      return Error::make(ErrorKind::invalid_argument, "--netns cannot be used with --net={}", net);
    }
    return net == "host" ? NetMode::host : NetMode::none;
  }
  if (netns.empty()) {
    return Error::make(ErrorKind::invalid_argument,
                       "--net={}: the pod's network namespace (--netns) is missing", net);
  }
  return NetMode::netns;
}

/// rkt's `resolv=host|stage0|none|default,hosts=host|stage0|default`.
Result<void> parse_dns_conf_mode(const std::string& text, RunArgs& run) {
  static const std::map<std::string, ResolvConfMode, std::less<>> resolv_modes = {
      {"default", ResolvConfMode::default_},
      {"host", ResolvConfMode::host},
      {"stage0", ResolvConfMode::stage0},
      {"none", ResolvConfMode::none}};
  static const std::map<std::string, HostsConfMode, std::less<>> hosts_modes = {
      {"default", HostsConfMode::default_},
      {"host", HostsConfMode::host},
      {"stage0", HostsConfMode::stage0}};
  if (text.empty()) return {};
  for (const std::string& item : util::split(text, ',')) {
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (auto resolv = resolv_modes.find(value); key == "resolv" && resolv != resolv_modes.end()) {
      run.resolv_mode = resolv->second;
    } else if (auto hosts = hosts_modes.find(value); key == "hosts" && hosts != hosts_modes.end()) {
      run.hosts_mode = hosts->second;
    } else {
      return Error::make(ErrorKind::invalid_argument, "--dns-conf-mode: bad item \"{}\"", item);
    }
  }
  return {};
}

}  // namespace

Result<RunArgs> parse_run_args(const std::vector<std::string>& args) {
  RunArgs run;
  std::string net = "host";
  std::string private_users;
  std::string dns_conf_mode;
  std::map<std::string, FlagTarget, std::less<>> flags = {
      {"debug", {.boolean = &run.debug}},
      {"net", {.text = &net}},
      {"netns", {.text = &run.netns}},
      {"dns-conf-mode", {.text = &dns_conf_mode}},
      {"interactive", {.boolean = &run.interactive}},
      {"hostname", {.text = &run.hostname}},
      {"local-config", {.text = &run.local_config}},
      {"mds-token", {.text = &run.mds_token}},
      {"machined-helper", {.text = &run.machined_helper}},
      {"disable-capabilities-restriction", {.boolean = &run.disable_capabilities}},
      {"disable-paths", {.boolean = &run.disable_paths}},
      {"disable-seccomp", {.boolean = &run.disable_seccomp}},
      {"private-users", {.text = &private_users}},
  };
  RKT_TRY_ASSIGN(auto positional, parse_flags(args, flags));
  RKT_TRY_ASSIGN(run.uuid, single_uuid(positional));
  RKT_TRY_ASSIGN(run.net, net_mode(net, run.netns));
  run.net_list = net;
  RKT_TRY(parse_dns_conf_mode(dns_conf_mode, run));
  if (!private_users.empty()) {
    auto range = sys::parse_id_range(private_users);
    if (!range) return std::move(range).error().wrap("--private-users");
    run.private_users = *range;
  }
  if (run.hostname.empty()) run.hostname = default_hostname(run.uuid);
  return run;
}

Result<EnterArgs> parse_enter_args(const std::vector<std::string>& args) {
  EnterArgs enter;
  std::map<std::string, FlagTarget, std::less<>> flags = {
      {"pid", {.pid = &enter.pid}},
      {"appname", {.text = &enter.app}},
  };
  RKT_TRY_ASSIGN(auto positional, parse_flags(args, flags, &enter.command));
  if (enter.pid <= 0) return Error::make(ErrorKind::invalid_argument, "--pid is required");
  if (enter.app.empty()) return Error::make(ErrorKind::invalid_argument, "--appname is required");
  // Without "--", a command may follow the flags directly.
  positional.insert(positional.end(), enter.command.begin(), enter.command.end());
  enter.command = std::move(positional);
  if (enter.command.empty()) enter.command = {"/bin/sh"};
  return enter;
}

Result<StopArgs> parse_stop_args(const std::vector<std::string>& args) {
  StopArgs stop;
  std::map<std::string, FlagTarget, std::less<>> flags = {{"force", {.boolean = &stop.force}}};
  RKT_TRY_ASSIGN(auto positional, parse_flags(args, flags));
  RKT_TRY_ASSIGN(stop.uuid, single_uuid(positional));
  return stop;
}

Result<GcArgs> parse_gc_args(const std::vector<std::string>& args) {
  GcArgs gc;
  std::map<std::string, FlagTarget, std::less<>> flags = {
      {"debug", {.boolean = &gc.debug}},
      {"local-config", {.text = &gc.local_config}},
  };
  RKT_TRY_ASSIGN(auto positional, parse_flags(args, flags));
  RKT_TRY_ASSIGN(gc.uuid, single_uuid(positional));
  return gc;
}

std::string default_hostname(const std::string& uuid) {
  return "rkt-" + uuid;
}

}  // namespace rkt::stage1

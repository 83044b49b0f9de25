#include "cli/pod_flags.hpp"

#include <charconv>

#include "util/strings.hpp"

namespace rkt::cli {

namespace {

Result<int64_t> parse_number(std::string_view text, std::string_view what) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Error::make(ErrorKind::invalid_argument, "{}: \"{}\" is not a number", what, text);
  }
  return value;
}

Result<bool> parse_bool_value(std::string_view text, std::string_view what) {
  if (text == "true") return true;
  if (text == "false") return false;
  return Error::make(ErrorKind::invalid_argument, "{}: \"{}\" is not true or false", what, text);
}

Result<void> set_volume_field(appc::Volume& volume, const std::string& key,
                              const std::string& value) {
  if (key == "kind") {
    volume.kind = value;
  } else if (key == "source") {
    volume.source = value;
  } else if (key == "readOnly") {
    RKT_TRY_ASSIGN(volume.read_only, parse_bool_value(value, "readOnly"));
  } else if (key == "recursive") {
    RKT_TRY_ASSIGN(volume.recursive, parse_bool_value(value, "recursive"));
  } else if (key == "mode") {
    volume.mode = value;
  } else if (key == "uid") {
    RKT_TRY_ASSIGN(volume.uid, parse_number(value, "uid"));
  } else if (key == "gid") {
    RKT_TRY_ASSIGN(volume.gid, parse_number(value, "gid"));
  } else {
    return Error::make(ErrorKind::invalid_argument, "unknown volume parameter \"{}\"", key);
  }
  return {};
}

}  // namespace

void add_pod_flags(CLI::App* cmd, PodFlags& flags) {
  cmd->add_option("--volume", flags.volumes,
                  "volumes to mount into the pod: NAME,kind=host,source=PATH[,readOnly=BOOL]"
                  "[,recursive=BOOL] or NAME,kind=empty[,mode=0755][,uid=0][,gid=0]");
  cmd->add_option("--port", flags.ports, "ports to forward: NAME:[HOSTIP:]HOSTPORT");
  cmd->add_option("--set-env", flags.set_env, "an environment variable for all apps: NAME=VALUE");
  cmd->add_option("--set-env-file", flags.set_env_file,
                  "a file of NAME=VALUE lines to set in every app's environment");
  cmd->add_flag("--inherit-env", flags.inherit_env, "apps inherit the environment of rkt");
  cmd->add_flag("--no-overlay", flags.no_overlay, "copy the images instead of using overlayfs");
  cmd->add_flag("--private-users", flags.private_users,
                "run the pod in a user namespace with shifted UIDs");
  cmd->add_option("--pull-policy", flags.pull_policy,
                  "when to fetch images: never, new or update")
      ->capture_default_str();
  cmd->add_option("--pod-manifest", flags.pod_manifest, "the path to a pod manifest to run");
  cmd->add_option("--uuid-file-save", flags.uuid_file_save, "write the pod's UUID to this file");
  cmd->add_option("--stage1-path", flags.stage1.path, "a stage1 image file");
  cmd->add_option("--stage1-url", flags.stage1.url, "the URL of a stage1 image");
  cmd->add_option("--stage1-name", flags.stage1.name, "the name of a stage1 image");
  cmd->add_option("--stage1-hash", flags.stage1.hash, "the ID of a stored stage1 image");
  cmd->add_option("--stage1-from-dir", flags.stage1.from_dir,
                  "a stage1 image file in the stage1 images directory");
}

void add_runtime_flags(CLI::App* cmd, RuntimeFlags& flags) {
  cmd->add_option("--net", flags.net,
                  "networks to join: default, default-restricted, host, none, all or networks of "
                  "<local-config>/net.d; NAME:K=V;K2=V2 passes CNI_ARGS")
      ->expected(0, 1);  // a comma list stays one value: net::parse_net_list splits it
  cmd->add_option("--dns", flags.dns, "name servers to write in /etc/resolv.conf");
  cmd->add_option("--dns-search", flags.dns_search, "DNS search domains");
  cmd->add_option("--dns-opt", flags.dns_opt, "DNS options");
  cmd->add_option("--dns-domain", flags.dns_domain, "the DNS domain");
  cmd->add_option("--hosts-entry", flags.hosts_entries, "entries for /etc/hosts: IP=HOST");
  cmd->add_option("--hostname", flags.hostname, "the pod's hostname (default rkt-$UUID)");
  cmd->add_flag("--interactive", flags.interactive, "run the (single) app interactively");
  cmd->add_flag("--mds-register", flags.mds_register, "register the pod with the metadata service");
  cmd->add_option("--ipc", flags.ipc, "IPC namespace: auto, private or parent")
      ->capture_default_str();
}

Result<appc::Volume> parse_volume_flag(std::string_view text) {
  std::vector<std::string> parts = util::split(text, ',');
  appc::Volume volume;
  volume.name = parts.front();
  for (size_t i = 1; i < parts.size(); ++i) {
    size_t eq = parts[i].find('=');
    if (eq == std::string::npos) {
      return Error::make(ErrorKind::invalid_argument, "--volume \"{}\": \"{}\" is not KEY=VALUE",
                         text, parts[i]);
    }
    auto set = set_volume_field(volume, parts[i].substr(0, eq), parts[i].substr(eq + 1));
    if (!set) return std::move(set).error().wrap("--volume \"{}\"", text);
  }
  if (volume.kind != "host" && volume.kind != "empty") {
    return Error::make(ErrorKind::invalid_argument,
                       "--volume \"{}\": kind must be host or empty", text);
  }
  if (volume.kind == "host" && volume.source.empty()) {
    return Error::make(ErrorKind::invalid_argument, "--volume \"{}\": kind=host needs source=PATH",
                       text);
  }
  return volume;
}

Result<appc::ExposedPort> parse_port_flag(std::string_view text) {
  std::vector<std::string> parts = util::split(text, ':');
  if (parts.size() < 2 || parts.size() > 3 || parts.front().empty()) {
    return Error::make(ErrorKind::invalid_argument,
                       "--port \"{}\": expected NAME:[HOSTIP:]HOSTPORT", text);
  }
  appc::ExposedPort port;
  port.name = parts.front();
  if (parts.size() == 3) port.host_ip = parts[1];
  RKT_TRY_ASSIGN(int64_t host_port, parse_number(parts.back(), "--port"));
  if (host_port < 1 || host_port > 65535) {
    return Error::make(ErrorKind::invalid_argument, "--port \"{}\": port out of range", text);
  }
  port.host_port = static_cast<uint32_t>(host_port);
  return port;
}

}  // namespace rkt::cli

#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "sys/user_namespace.hpp"
#include "util/result.hpp"

namespace rkt::stage1 {

/// The pod's network: the host's, a namespace of its own with only a loopback, or the namespace
/// stage0 made and gave CNI networks (--netns=PATH).
enum class NetMode { host, none, netns };

/// Where an app's /etc/resolv.conf comes from (--dns-conf-mode resolv=...): the image's (or a
/// volume's), the host's, stage0's /etc/rkt-resolv.conf, or left alone.
enum class ResolvConfMode { default_, host, stage0, none };
/// Where an app's /etc/hosts comes from (hosts=...): the image's or the fallback, the host's, or
/// stage0's /etc/rkt-hosts.
enum class HostsConfMode { default_, host, stage0 };

/// Arguments of the run entrypoints (/init, /run), as stage0 passes them.
struct RunArgs {
  bool debug = false;
  NetMode net = NetMode::host;
  std::string net_list;  // --net as given ("default,net1:IP=..."), for messages
  std::string netns;     // --netns: the namespace to join (NetMode::netns)
  ResolvConfMode resolv_mode = ResolvConfMode::default_;
  HostsConfMode hosts_mode = HostsConfMode::default_;
  bool interactive = false;
  std::string hostname;  // empty: rkt-<uuid>
  std::string local_config;
  std::string mds_token;
  std::string machined_helper;  // rkt-machined on the host: register the pod with machined
  bool disable_capabilities = false;
  bool disable_paths = false;
  bool disable_seccomp = false;
  std::optional<sys::IdRange> private_users;  // the pod's user namespace (BASE:COUNT)
  std::string uuid;
};

/// `/enter --pid=N --appname=APP -- CMD ARGS...`
struct EnterArgs {
  pid_t pid = 0;
  std::string app;
  std::vector<std::string> command;  // empty: /bin/sh
};

/// `/stop [--force] UUID`
struct StopArgs {
  bool force = false;
  std::string uuid;
};

/// `/gc [--debug] [--local-config=DIR] UUID`
struct GcArgs {
  bool debug = false;
  std::string local_config;
  std::string uuid;
};

/// Parsers take the arguments after argv[0]. Flags are `--name=value` or `--name value`; booleans
/// also accept `--name=true|false`. Unknown flags are errors.
Result<RunArgs> parse_run_args(const std::vector<std::string>& args);
Result<EnterArgs> parse_enter_args(const std::vector<std::string>& args);
Result<StopArgs> parse_stop_args(const std::vector<std::string>& args);
Result<GcArgs> parse_gc_args(const std::vector<std::string>& args);

/// The hostname a pod gets without --hostname.
std::string default_hostname(const std::string& uuid);

}  // namespace rkt::stage1

#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "pod/pod_request.hpp"
#include "pod/stage1_image.hpp"

namespace rkt::cli {

/// Pod flags shared by `run` and `prepare`, declared once.
struct PodFlags {
  std::vector<std::string> volumes;
  std::vector<std::string> ports;
  std::vector<std::string> set_env;
  std::string set_env_file;
  bool inherit_env = false;
  bool no_overlay = false;
  bool private_users = false;
  std::string pull_policy = "new";
  std::string pod_manifest;
  std::string uuid_file_save;
  pod::Stage1Flags stage1;
};

/// Runtime flags shared by `run` and `run-prepared`, declared once.
struct RuntimeFlags {
  std::vector<std::string> net;
  std::vector<std::string> dns, dns_search, dns_opt, hosts_entries;
  std::string dns_domain;
  std::string hostname;
  bool interactive = false;
  bool mds_register = false;
  std::string ipc = "auto";
};

void add_pod_flags(CLI::App* cmd, PodFlags& flags);
void add_runtime_flags(CLI::App* cmd, RuntimeFlags& flags);

/// Parses "NAME,kind=host,source=PATH[,readOnly=BOOL][,recursive=BOOL]" or
/// "NAME,kind=empty[,mode=0755][,uid=0][,gid=0]" (--volume).
Result<appc::Volume> parse_volume_flag(std::string_view text);
/// Parses "NAME:[HOSTIP:]HOSTPORT" (--port).
Result<appc::ExposedPort> parse_port_flag(std::string_view text);

}  // namespace rkt::cli

#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "appc/types.hpp"
#include "store/image_info.hpp"
#include "sys/user_namespace.hpp"

namespace rkt::pod {

/// One app of a pod as the command line describes it (rkt's per-app flags).
struct AppRequest {
  store::ImageInfo image;
  std::string name;                       // --name; empty: derived from the image name
  std::optional<std::string> exec;        // --exec
  std::vector<std::string> args;          // IMAGE -- args... ---
  bool args_given = false;                // `--` seen: args replace the image's exec args
  std::optional<std::string> user;        // --user
  std::optional<std::string> group;       // --group
  std::optional<std::vector<int64_t>> supplementary_gids;  // --supplementary-gids
  std::optional<std::string> working_dir;                   // --working-dir
  std::vector<std::pair<std::string, std::string>> environment;  // --environment
  std::optional<bool> readonly_rootfs;                      // --readonly-rootfs
  std::vector<appc::Mount> mounts;                          // --mount volume=,target=
  appc::Annotations annotations;                            // --annotation
  std::map<std::string, std::string> user_annotations;      // --user-annotation
  std::map<std::string, std::string> user_labels;           // --user-label
  std::vector<appc::Isolator> isolators;                    // --memory, --cpu, --caps-*, ...
  std::string signature;                                    // --signature (fetch only)
};

/// Where the stage1 comes from, resolved by stage0 before preparing.
struct Stage1Request {
  store::ImageInfo image;
};

/// Everything `rkt prepare` / `rkt run` need to create a pod.
struct PodRequest {
  std::vector<AppRequest> apps;
  std::vector<appc::Volume> volumes;                           // --volume
  std::vector<appc::ExposedPort> ports;                        // --port
  std::vector<std::pair<std::string, std::string>> set_env;    // --set-env
  std::vector<std::pair<std::string, std::string>> set_env_file;  // --set-env-file, parsed
  bool inherit_env = false;                                    // --inherit-env
  bool no_overlay = false;                                     // --no-overlay
  bool private_users = false;                                  // --private-users
  bool skip_tree_check = false;  // --insecure-options=ondisk: trust the rendered trees
  appc::Annotations annotations;                               // pod --annotation (app sandbox)
  std::map<std::string, std::string> user_annotations;
  std::map<std::string, std::string> user_labels;
  std::optional<appc::PodManifest> pod_manifest;               // --pod-manifest: used as is
  Stage1Request stage1;
  std::string uuid_file_save;                                  // --uuid-file-save
};

/// Runtime options of `rkt run` / `rkt run-prepared` (passed to the stage1 run entrypoint).
struct RunRequest {
  std::string net = "default";    // --net: default, default-restricted, host, none, all, user nets
  std::string netns;              // for the stage1: the pod's netns (set by run_pod)
  std::string dns_conf_mode;      // for the stage1: --dns-conf-mode (set by run_pod)
  bool interactive = false;       // --interactive
  std::string hostname;           // --hostname; empty: rkt-<uuid>
  bool debug = false;
  bool mds_register = false;      // --mds-register
  std::string mds_token;          // set by run_pod once registered: stage1's --mds-token
  std::string machined_helper;    // set by run_pod (native stage1): stage1's --machined-helper
  std::string local_config;       // --local-config, passed through
  bool disable_capabilities = false;  // --insecure-options=capabilities
  bool disable_paths = false;         // --insecure-options=paths
  bool disable_seccomp = false;       // --insecure-options=seccomp
  std::optional<sys::IdRange> private_users;  // the pod's ID range (from the pod dir)
  std::vector<std::string> dns, dns_search, dns_opt;
  std::string dns_domain;
  std::vector<std::string> hosts_entries;
};

}  // namespace rkt::pod

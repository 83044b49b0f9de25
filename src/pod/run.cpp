// rkt's stage0 "run": the last steps before the process becomes the pod's stage1.
#include "pod/run.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "appc/manifest.hpp"
#include "net/dns.hpp"
#include "net/pod_network.hpp"
#include "pod/machine_registration.hpp"
#include "pod/mds_registration.hpp"
#include "pod/overlay_mounts.hpp"
#include "pod/pod_entrypoint.hpp"
#include "pod/pod_transition.hpp"
#include "store/store_paths.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/scope_exit.hpp"
#include "util/strings.hpp"

namespace rkt::pod {

namespace {

/// Stage1 interface versions that know an argument (older ones get it dropped, as rkt does).
constexpr int k_hostname_since = 2;
constexpr int k_insecure_options_since = 3;

Result<void> mount_app_rootfs(const PodsDir& pods, const PreparedPod& pod) {
  PodPaths paths(pod.dir);
  if (pod.overlay) {
    RKT_TRY(mount_app_overlays(paths, store::StorePaths(pods.data_dir).tree, pod.manifest,
                               pod.private_users));
  }
  for (const auto& app : pod.manifest.apps) RKT_TRY(ensure_mtab(paths.app_rootfs(app.name)));
  return {};
}

/// Lets the lock descriptor survive exec and tells the stage1 its number.
Result<void> hand_over_lock(int fd) {
  int flags = ::fcntl(fd, F_GETFD);
  if (flags < 0 || ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) != 0) {
    return Error::from_errno(errno, "clearing close-on-exec of the pod lock");
  }
  if (::setenv("RKT_LOCK_FD", std::to_string(fd).c_str(), 1) != 0) {
    return Error::from_errno(errno, "setenv RKT_LOCK_FD");
  }
  return {};
}

RunRequest supported_by(RunRequest request, int interface_version) {
  if (interface_version < k_hostname_since && !request.hostname.empty()) {
    log::warn("--hostname option is not supported by stage1");
    request.hostname.clear();
  }
  if (interface_version < k_insecure_options_since) {
    request.disable_capabilities = request.disable_paths = request.disable_seccomp = false;
  }
  return request;
}

/// Whether the pod's stage1 image is named .../stage1-<flavor>.
bool stage1_is(const PodPaths& paths, std::string_view flavor) {
  auto text = util::read_file(paths.stage1_manifest());
  if (!text) return false;
  auto manifest = appc::parse_image_manifest(*text);
  return manifest && util::ends_with(manifest->name, "/stage1-" + std::string(flavor));
}

/// rkt's fly stage1 always runs in the host's network: no CNI for it.
bool stage1_uses_host_network(const PodPaths& paths) { return stage1_is(paths, "fly"); }

/// What the network steps hand on to the stage1 arguments.
struct PodNetworking {
  std::string netns;          // --netns (contained networks only)
  std::string dns_conf_mode;  // --dns-conf-mode
  // Where the apps reach the metadata service: the host's side of the first network (as rkt),
  // or the loopback when the pod shares the host's network.
  std::string mds_host = std::string(k_mds_host_for_host_net);
};

/// CNI networks (contained --net lists) and the DNS/hosts files of the pod.
Result<PodNetworking> set_up_networking(const PreparedPod& pod, const RunRequest& request,
                                        bool host_network) {
  RKT_TRY_ASSIGN(auto list, net::parse_net_list(request.net));
  PodPaths paths(pod.dir);
  PodNetworking networking;
  net::PodNetwork network;
  if (list.contained() && !host_network) {
    net::PodNetworkRequest net_request;
    net_request.uuid = pod.uuid;
    net_request.pod_dir = pod.dir;
    net_request.list = list;
    net_request.local_config = request.local_config;
    net_request.stage1_rootfs = paths.stage1_rootfs();
    RKT_TRY_ASSIGN(net_request.ports, net::resolve_ports(pod.manifest));
    RKT_TRY_ASSIGN(network, net::setup_pod_network(net_request));
    networking.netns = network.netns.string();
    if (!network.nets.empty() && !network.nets.front().host_ip.empty()) {
      networking.mds_host = network.nets.front().host_ip;
    }
  }
  net::DnsFlags dns{request.dns, request.dns_search, request.dns_opt, request.dns_domain};
  std::string hostname = request.hostname.empty() ? "rkt-" + pod.uuid : request.hostname;
  auto mode = net::write_dns_files(paths.stage1_rootfs(), dns, network.dns, request.hosts_entries,
                                   hostname);
  if (!mode) {
    if (!networking.netns.empty()) {
      log::warn_and_drop(net::teardown_pod_network(pod.dir, pod.uuid));
    }
    return std::move(mode).error();
  }
  networking.dns_conf_mode = std::move(mode).value();
  return networking;
}

Result<void> exec_argv(const std::vector<std::string>& argv) {
  std::vector<char*> c_argv;
  for (const auto& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);
  ::execv(c_argv[0], c_argv.data());
  return Error::from_errno(errno, "exec of stage1 entrypoint `{}`", argv[0]);
}

}  // namespace

Result<void> validate_run_request(const RunRequest& request, size_t app_count) {
  if (request.interactive && app_count != 1) {
    return Error::make(ErrorKind::invalid_argument, "interactive option only supports one image");
  }
  RKT_TRY(net::parse_net_list(request.net));
  RKT_TRY(net::validate_dns_flags(
      {request.dns, request.dns_search, request.dns_opt, request.dns_domain}));
  RKT_TRY(net::hosts_mode(request.hosts_entries));
  if (request.mds_register && request.net == "none") {
    return Error::make(ErrorKind::invalid_argument,
                       "--mds-register needs a network the metadata service can be reached "
                       "from (not --net=none)");
  }
  return {};
}

std::vector<std::string> stage1_run_argv(const std::string& entrypoint, const RunRequest& request,
                                         std::string_view uuid) {
  std::vector<std::string> argv{entrypoint};
  if (request.debug) argv.push_back("--debug");
  argv.push_back("--net=" + request.net);
  if (!request.netns.empty()) argv.push_back("--netns=" + request.netns);
  if (!request.dns_conf_mode.empty()) argv.push_back("--dns-conf-mode=" + request.dns_conf_mode);
  if (request.interactive) argv.push_back("--interactive");
  if (!request.hostname.empty()) argv.push_back("--hostname=" + request.hostname);
  if (!request.local_config.empty()) argv.push_back("--local-config=" + request.local_config);
  if (!request.mds_token.empty()) argv.push_back("--mds-token=" + request.mds_token);
  if (!request.machined_helper.empty()) {
    argv.push_back("--machined-helper=" + request.machined_helper);
  }
  if (request.disable_capabilities) argv.push_back("--disable-capabilities-restriction");
  if (request.disable_paths) argv.push_back("--disable-paths");
  if (request.disable_seccomp) argv.push_back("--disable-seccomp");
  if (request.private_users) {
    argv.push_back("--private-users=" + sys::format_id_range(*request.private_users));
  }
  argv.emplace_back(uuid);
  return argv;
}

Result<void> run_pod(const PodsDir& pods, PreparedPod pod, const RunRequest& request) {
  RKT_TRY(validate_run_request(request, pod.manifest.apps.size()));
  if (!pod.lock) {
    return Error::make(ErrorKind::invalid_argument, "pod {} is not locked for running", pod.uuid);
  }
  PodPaths paths(pod.dir);
  RKT_TRY_ASSIGN(auto entrypoint, find_stage1_entrypoint(paths, k_stage1_run_annotation));
  RKT_TRY_ASSIGN(pod.private_users, recorded_id_range(paths));
  bool host_network = stage1_uses_host_network(paths);
  RunRequest stage1_request = supported_by(request, entrypoint.interface_version);
  stage1_request.private_users = pod.private_users;
  if (host_network) stage1_request.net = "host";
  // The network namespace is mounted in the host's mount namespace, so it must come first.
  RKT_TRY_ASSIGN(auto networking, set_up_networking(pod, request, host_network));
  // Undone here if the stage1 is never exec'd (on exec, nothing of this process runs on).
  ScopeExit undo_networking([&] {
    if (!networking.netns.empty()) log::warn_and_drop(net::teardown_pod_network(pod.dir, pod.uuid));
  });
  stage1_request.netns = networking.netns;
  stage1_request.dns_conf_mode = networking.dns_conf_mode;
  if (request.mds_register) {
    auto token = register_with_metadata_service(paths, pod.uuid, pod.manifest,
                                                networking.mds_host);
    if (!token) return std::move(token).error().wrap("registering the pod with the metadata service");
    stage1_request.mds_token = std::move(*token);
  }
  // Our native stage1 registers the pod with systemd-machined (rkt's did through nspawn).
  if (stage1_is(paths, "native")) stage1_request.machined_helper = machined_helper();
  auto argv = stage1_run_argv(entrypoint.path.string(), stage1_request, pod.uuid);
  // Every mount of the pod lives in this namespace only and dies with it.
  RKT_TRY(enter_private_mount_namespace());
  RKT_TRY(mount_app_rootfs(pods, pod));
  if (::chdir(pod.dir.c_str()) != 0) {
    return Error::from_errno(errno, "chdir `{}`", pod.dir.string());
  }
  RKT_TRY(hand_over_lock(pod.lock->fd()));
  log::debug("execing {}", util::join(argv, " "));
  return exec_argv(argv);
}

Result<void> run_prepared(const Pod& pod, const RunRequest& request) {
  if (pod.state() != PodState::prepared) {
    return Error::make(ErrorKind::invalid_argument, "pod {} is not prepared (state: {})",
                       pod.uuid(), state_name(pod.state()));
  }
  RKT_TRY_ASSIGN(auto manifest, pod.manifest());
  RKT_TRY(validate_run_request(request, manifest.apps.size()));
  auto lock = pod.lock(util::LockMode::exclusive, util::LockWait::no_block);
  if (!lock) return std::move(lock).error().wrap("pod {} is in use", pod.uuid());
  auto moved = move_pod_dir(pod.pods_dir(), pod.uuid(), PodState::prepared, PodState::running);
  if (lost_race(moved)) {
    return Error::make(ErrorKind::conflict, "pod {} is no longer prepared", pod.uuid());
  }
  RKT_TRY(moved);
  PreparedPod prepared;
  prepared.uuid = pod.uuid();
  prepared.dir = pod.pods_dir().pod_dir(StateDir::run, pod.uuid());
  prepared.manifest = std::move(manifest);
  prepared.overlay = pod.uses_overlay();
  prepared.lock = std::move(*lock);
  return run_pod(pod.pods_dir(), std::move(prepared), request);
}

}  // namespace rkt::pod

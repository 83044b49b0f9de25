#include "stage1/pod_init.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "stage1/app_rootfs.hpp"
#include "stage1/journal.hpp"
#include "stage1/paths.hpp"
#include "stage1/pod_rootfs.hpp"
#include "stage1/report.hpp"
#include "stage1/supervisor.hpp"
#include "sys/hostname.hpp"
#include "sys/interface.hpp"
#include "sys/mount.hpp"
#include "sys/namespaces.hpp"
#include "sys/user_namespace.hpp"
#include "util/file.hpp"

namespace rkt::stage1 {

namespace {

void send(const UniqueFd& events, PodEvent event) {
  char byte = static_cast<char>(event);
  ssize_t ignored = ::write(events.get(), &byte, 1);
  (void)ignored;
}

/// Namespace-wide settings that must precede the mounts.
Result<void> set_up_namespaces(const RunArgs& args) {
  RKT_TRY(sys::unshare_namespaces({sys::Namespace::mount}));
  RKT_TRY(sys::set_propagation("/", sys::Propagation::private_));
  if (args.net != NetMode::host) RKT_TRY(sys::set_interface_up("lo"));
  RKT_TRY(sys::set_hostname(args.hostname));
  // Out of the terminal's session, so that ^C reaches the apps only through the run entrypoint.
  if (!args.interactive && ::setsid() < 0) return Error::from_errno(errno, "setsid");
  return {};
}

/// The files stage0 or the host give the apps as /etc/resolv.conf and /etc/hosts.
void set_dns_files(const RunArgs& args, const fs::path& stage1_root, AppRootfsOptions& rootfs) {
  if (args.resolv_mode == ResolvConfMode::stage0) {
    rootfs.resolv_conf = {stage1_root / k_stage0_resolv_conf, false};
  } else if (args.resolv_mode == ResolvConfMode::host) {
    rootfs.resolv_conf = {"/etc/resolv.conf", true};
  }
  if (args.hosts_mode == HostsConfMode::stage0) {
    rootfs.hosts = {stage1_root / k_stage0_hosts, false};
  } else if (args.hosts_mode == HostsConfMode::host) {
    rootfs.hosts = {"/etc/hosts", true};
  }
  if (args.hosts_mode != HostsConfMode::default_) rootfs.hosts_fallback = HostsFallback::no;
}

Result<void> mount_apps(const PodInitOptions& options, const Pod& pod) {
  for (const auto& app : pod.apps) {
    AppRootfsOptions rootfs;
    rootfs.hostname = options.args.hostname;
    rootfs.read_only_root = app.read_only_root;
    rootfs.mounts = app.mounts;
    set_dns_files(options.args, pod.stage1_root, rootfs);
    if (!options.args.disable_paths) rootfs.kernel_paths = KernelPaths::protected_;
    fs::path app_root = pod.stage1_root / app_rootfs_in_stage1(app.plan.name);
    auto mounted = mount_app_rootfs(app_root, pod.stage1_root, rootfs);
    if (!mounted) return std::move(mounted).error().wrap("app \"{}\"", app.plan.name);
  }
  return {};
}

/// The mounts are made as the host's root (the pod dir lies below directories only it may
/// search), in a mount namespace the host's user namespace owns, so nothing in the pod can
/// change them; then PID 1 becomes the pod's root, mapped to the pod's ID range.
Result<void> enter_user_namespace(const UniqueFd& user_namespace) {
  RKT_TRY(sys::become_root_of(user_namespace));
  // A change of credentials clears the parent-death signal.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  return {};
}

Result<void> set_up_pod(const PodInitOptions& options, const Pod& pod) {
  RKT_TRY(set_up_namespaces(options.args));
  auto console = options.args.interactive ? Console::stdin_terminal : Console::null_device;
  RKT_TRY(mount_stage1_rootfs(pod.stage1_root, console));
  RKT_TRY(mount_apps(options, pod));
  RKT_TRY(util::make_dirs(pod.stage1_root / k_status_dir));
  if (!options.args.interactive) RKT_TRY(util::make_dirs(pod.stage1_root / k_logs_dir));
  RKT_TRY(sys::pivot_root(pod.stage1_root));
  if (options.user_namespace) RKT_TRY(enter_user_namespace(options.user_namespace));
  return {};
}

SupervisorOptions supervisor_options(const PodInitOptions& options,
                                     std::shared_ptr<const Journal> journal) {
  SupervisorOptions supervisor;
  bool interactive = options.args.interactive;
  supervisor.stdio = interactive ? AppStdio::inherited : AppStdio::piped;
  supervisor.app_session = options.app_session;
  supervisor.forward_sigint = !interactive;
  supervisor.kill_scope = KillScope::pid_namespace;
  supervisor.status_dir = fs::path("/") / k_status_dir;
  supervisor.log_dir = fs::path("/") / k_logs_dir;
  supervisor.journal = std::move(journal);
  supervisor.stop_timeout_seconds = k_stop_timeout_seconds;
  return supervisor;
}

}  // namespace

int run_pod_init(const PodInitOptions& options, Pod& pod, UniqueFd events, UniqueFd signals) {
  // The run entrypoint outside is the pod's supervisor for stage0 and systemd: if it dies, the
  // pod dies with it (and with it every mount of the pod's mount namespace).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The journal's socket is on the host: connect before the pod's root hides it.
  std::shared_ptr<const Journal> journal;
  if (!options.args.interactive) {
    journal = Journal::connect(k_journal_socket, default_hostname(options.args.uuid));
  }
  if (auto ready = set_up_pod(options, pod); !ready) {
    report("{}", ready.error().message);
    return k_exit_failure;
  }
  send(events, PodEvent::mounted);
  std::vector<AppPlan> plans;
  for (auto& app : pod.apps) plans.push_back(std::move(app.plan));
  Supervisor supervisor(std::move(plans), supervisor_options(options, std::move(journal)),
                        std::move(signals));
  return supervisor.run([&] {
    send(events, PodEvent::started);
    events.reset();
  });
}

}  // namespace rkt::stage1

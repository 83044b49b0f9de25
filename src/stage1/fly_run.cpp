#include <unistd.h>

#include "stage1/app_rootfs.hpp"
#include "stage1/args.hpp"
#include "stage1/entrypoints.hpp"
#include "stage1/paths.hpp"
#include "stage1/pod_apps.hpp"
#include "stage1/pod_files.hpp"
#include "stage1/report.hpp"
#include "stage1/socket_activation.hpp"
#include "stage1/supervisor.hpp"
#include "sys/mount.hpp"
#include "sys/namespaces.hpp"
#include "sys/systemd.hpp"
#include "util/file.hpp"

namespace rkt::stage1 {

namespace {

/// rkt's fly: the host's namespaces except a private mount namespace, in which the app's rootfs
/// gets /dev, /proc, /sys, a /tmp tmpfs and the volumes.
Result<void> mount_fly_app(const Pod& pod, const PodApp& app) {
  RKT_TRY(sys::unshare_namespaces({sys::Namespace::mount}));
  RKT_TRY(sys::set_propagation("/", sys::Propagation::private_));
  AppRootfsOptions rootfs;
  rootfs.read_only_root = app.read_only_root;
  rootfs.mounts = app.mounts;
  rootfs.hosts_fallback = HostsFallback::no;
  rootfs.tmp_tmpfs = TmpTmpfs::yes;
  fs::path app_root = pod.stage1_root / app_rootfs_in_stage1(app.plan.name);
  auto mounted = mount_app_rootfs(app_root, "/", rootfs);
  if (!mounted) return std::move(mounted).error().wrap("app \"{}\"", app.plan.name);
  return {};
}

SupervisorOptions fly_supervisor_options(const Pod& pod) {
  SupervisorOptions supervisor;
  supervisor.stdio = AppStdio::inherited;
  supervisor.app_session = sys::Session::inherit;
  // On a terminal the app is in our process group and gets ^C itself.
  supervisor.forward_sigint = !::isatty(STDIN_FILENO);
  supervisor.kill_scope = KillScope::apps;
  supervisor.status_dir = pod.stage1_root / k_status_dir;
  supervisor.stop_timeout_seconds = k_stop_timeout_seconds;
  return supervisor;
}

Result<int> run_fly(const RunArgs&) {
  RKT_TRY(keep_pod_lock());
  RKT_TRY_ASSIGN(auto pod_dir, current_pod_dir());
  RKT_TRY_ASSIGN(auto pod, load_pod(pod_dir, LaunchRoot::host_path));
  if (pod.apps.size() != 1) {
    return Error::make(ErrorKind::invalid_argument,
                       "stage1-fly runs exactly one app; the pod has {}", pod.apps.size());
  }
  pass_listen_fds(pod);
  RKT_TRY_ASSIGN(auto signals, Supervisor::block_signals());
  RKT_TRY(mount_fly_app(pod, pod.apps[0]));
  RKT_TRY(util::make_dirs(pod.stage1_root / k_status_dir));
  RKT_TRY(write_pid_file(pod.dir / k_pid_file, ::getpid()));
  std::vector<AppPlan> plans;
  plans.push_back(std::move(pod.apps[0].plan));
  Supervisor supervisor(std::move(plans), fly_supervisor_options(pod), std::move(signals));
  return supervisor.run([&] {
    if (auto ready = mark_supervisor_ready(pod.stage1_root / k_supervisor_status); !ready) {
      report("{}", ready.error().message);
    }
    if (auto told = sys::notify("READY=1"); !told) report("{}", told.error().message);
  });
}

}  // namespace

int fly_run_main(const std::vector<std::string>& raw_args) {
  auto args = parse_run_args(raw_args);
  if (!args) {
    report("run: {}", args.error().message);
    return k_exit_failure;
  }
  set_debug(args->debug);
  if (args->private_users) {
    report("run: --private-users is not supported by stage1-fly");
    return k_exit_failure;
  }
  if (args->net != NetMode::host) report("stage1-fly always uses the host's network");
  auto status = run_fly(*args);
  if (!status) {
    report("{}", status.error().message);
    return k_exit_failure;
  }
  return *status;
}

}  // namespace rkt::stage1

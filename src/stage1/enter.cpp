#include <signal.h>
#include <unistd.h>

#include "stage1/args.hpp"
#include "stage1/entrypoints.hpp"
#include "stage1/environment.hpp"
#include "stage1/paths.hpp"
#include "stage1/pod_apps.hpp"
#include "stage1/report.hpp"
#include "sys/namespaces.hpp"
#include "sys/process.hpp"

namespace rkt::stage1 {

namespace {

std::vector<sys::Namespace> namespaces_to_join(Flavor flavor) {
  if (flavor == Flavor::fly) return {sys::Namespace::mount};
  // The user namespace (--private-users) last: once in it, we may not join the others.
  return {sys::Namespace::ipc, sys::Namespace::uts,   sys::Namespace::net,
          sys::Namespace::pid, sys::Namespace::mount, sys::Namespace::user};
}

Result<int> enter(Flavor flavor, const EnterArgs& args) {
  RKT_TRY_ASSIGN(auto pod_dir, current_pod_dir());
  fs::path stage1_root = pod_dir / k_stage1_rootfs;
  RKT_TRY_ASSIGN(auto env, read_env_file(stage1_root / k_env_dir / args.app));
  // stage1-native pivoted into the stage1 rootfs: after joining its mount namespace the app is
  // at /opt/stage2/<app>/rootfs. stage1-fly's mount namespace still has the host's root.
  fs::path app_root = flavor == Flavor::native ? fs::path("/") / app_rootfs_in_stage1(args.app)
                                               : stage1_root / app_rootfs_in_stage1(args.app);
  RKT_TRY(sys::join_namespaces_of(args.pid, namespaces_to_join(flavor)));
  sys::SpawnOptions options;
  options.argv = args.command;
  RKT_TRY_ASSIGN(options.path,
                 find_executable(app_root, args.command[0], env_value(env, "PATH"), "/"));
  options.env = std::move(env);
  options.root = app_root.string();
  options.cwd = "/";
  // Root of the pod (of its user namespace with --private-users), as the pod's apps.
  options.credentials = sys::Credentials{0, 0, {}};
  options.inherit_fds = sys::InheritFds::stdio_only;
  options.description = " in app \"" + args.app + "\"";
  // Like system(3): the command owns the terminal's signals while we wait for it.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  RKT_TRY_ASSIGN(pid_t pid, sys::spawn(options));  // forked: inside the pod's PID namespace
  return sys::wait_for_exit(pid);
}

}  // namespace

int enter_main(Flavor flavor, const std::vector<std::string>& raw_args) {
  auto args = parse_enter_args(raw_args);
  if (!args) {
    report("enter: {}", args.error().message);
    return k_exit_failure;
  }
  auto status = enter(flavor, *args);
  if (!status) {
    report("enter: {}", status.error().message);
    return k_exit_failure;
  }
  return *status;
}

}  // namespace rkt::stage1

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "stage1/app_security.hpp"
#include "stage1/args.hpp"
#include "stage1/entrypoints.hpp"
#include "stage1/machine_registration.hpp"
#include "stage1/paths.hpp"
#include "stage1/pod_cgroups.hpp"
#include "stage1/pod_files.hpp"
#include "stage1/pod_init.hpp"
#include "stage1/report.hpp"
#include "stage1/socket_activation.hpp"
#include "stage1/supervisor.hpp"
#include "sys/fork_into_cgroup.hpp"
#include "sys/namespaces.hpp"
#include "sys/systemd.hpp"
#include "sys/user_namespace.hpp"
#include "util/file.hpp"
#include "util/scope_exit.hpp"
#include "util/strings.hpp"

namespace rkt::stage1 {

namespace {

/// With --interactive the app shares the caller's terminal session when fd 0 is that session's
/// terminal (a shell's); a terminal nobody controls becomes the app's controlling tty.
sys::Session interactive_session() {
  if (!::isatty(STDIN_FILENO)) return sys::Session::inherit;
  if (::tcgetsid(STDIN_FILENO) < 0) return sys::Session::new_session_with_tty;
  return sys::Session::inherit;
}

std::vector<sys::Namespace> pod_namespaces(const RunArgs& args) {
  std::vector<sys::Namespace> namespaces = {sys::Namespace::pid, sys::Namespace::uts,
                                            sys::Namespace::ipc};
  if (args.net == NetMode::none) namespaces.push_back(sys::Namespace::net);
  return namespaces;
}

/// Joins the network namespace stage0 made and gave its CNI networks (rkt's stage1 made it).
Result<void> join_pod_netns(const RunArgs& args) {
  if (args.net != NetMode::netns) return {};
  UniqueFd fd(::open(args.netns.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open network namespace `{}`", args.netns);
  return sys::join_namespace(fd, sys::Namespace::net);
}

/// The PID (for the pod's PID 1), UTS, IPC and maybe net namespaces. With --private-users the
/// UTS, IPC and net namespaces are created together with the pod's user namespace (so it owns
/// them: the pod's root may set the hostname and configure its own network); this process
/// joins them but stays outside the user namespace, which the pod's PID 1 joins once its mounts
/// are done. The PID namespace stays the host's user namespace's: a PID namespace without a
/// process cannot be opened for joining, and host root mounts its /proc anyway.
Result<UniqueFd> enter_pod_namespaces(const RunArgs& args) {
  if (!args.private_users) {
    RKT_TRY(sys::unshare_namespaces(pod_namespaces(args)));
    return UniqueFd();
  }
  std::vector<sys::Namespace> owned;
  for (sys::Namespace ns : pod_namespaces(args)) {
    if (ns != sys::Namespace::pid) owned.push_back(ns);
  }
  auto made = sys::create_user_namespace(*args.private_users, owned);
  if (!made) return std::move(made).error().wrap("--private-users");
  for (auto& [ns, fd] : made->owned) RKT_TRY(sys::join_namespace(fd, ns));
  RKT_TRY(sys::unshare_namespaces({sys::Namespace::pid}));
  return std::move(made->user);
}

/// Acts on one event byte from the pod's PID 1.
void on_pod_event(char event, const Pod& pod, pid_t child, MachineRegistration& machine) {
  if (event == static_cast<char>(PodEvent::mounted)) {
    if (auto written = write_pid_file(pod.dir / k_pid_file, child); !written) {
      report("{}", written.error().message);
    }
    // Before `started` is read: the pod is a machine by the time it is ready.
    machine.register_leader(child, pod.stage1_root);
  } else if (event == static_cast<char>(PodEvent::started)) {
    if (auto ready = mark_supervisor_ready(pod.stage1_root / k_supervisor_status); !ready) {
      report("{}", ready.error().message);
    }
    // This process is the one `rkt run` became: systemd's main process of the unit.
    if (auto told = sys::notify("READY=1"); !told) report("{}", told.error().message);
  }
}

/// Outside the pod: relays the pod's events and our signals until PID 1 exits.
int watch_pod(const Pod& pod, pid_t child, UniqueFd events, const UniqueFd& signals,
              bool interactive, MachineRegistration& machine) {
  while (true) {
    pollfd fds[2] = {{signals.get(), POLLIN, 0}, {events.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) {
      char event = 0;
      if (::read(events.get(), &event, 1) == 1) {
        on_pod_event(event, pod, child, machine);
      } else {
        events.reset();  // PID 1 is done with us (or gone): poll ignores fd -1
      }
    }
    if (!fds[0].revents) continue;
    signalfd_siginfo info{};
    while (::read(signals.get(), &info, sizeof info) == sizeof info) {
      int sig = static_cast<int>(info.ssi_signo);
      if (sig == SIGTERM || sig == SIGHUP) ::kill(child, SIGTERM);
      if (sig == SIGINT && !interactive) ::kill(child, SIGINT);
    }
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) return sys::exit_status_from_wait(status);
  }
}

/// Children forked from now on (the machined helper) are created in the host's PID namespace
/// again: the pod's is only for its PID 1, and is gone once PID 1 has exited. (unshare changed
/// only where children go; this process's own PID namespace is still the host's.)
Result<void> fork_into_own_pid_namespace() {
  UniqueFd own(::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
  if (!own) return Error::from_errno(errno, "open /proc/self/ns/pid");
  return sys::join_namespace(own, sys::Namespace::pid);
}

/// Each app's capabilities, no_new_privs and seccomp filter, compiled before anything is forked;
/// isolators that are not enforced are reported.
Result<void> secure_apps(Pod& pod, const RunArgs& args) {
  SecurityOptions options;
  if (args.disable_capabilities) options.capabilities = CapsRestriction::disabled;
  if (args.disable_seccomp) options.seccomp = SeccompRestriction::disabled;
  for (size_t i = 0; i < pod.apps.size(); ++i) {
    const auto& app = pod.manifest.apps[i];
    warn_unsupported_isolators(app);
    RKT_TRY_ASSIGN(pod.apps[i].plan.security,
                   prepare_app_security(app, pod.apps[i].plan.credentials.uid, options));
  }
  return {};
}

/// The pod's cgroups (pod_cgroups.hpp), listed in the pod's `cgroups` file for gc; each app's
/// plan gets its own.
Result<PodCgroups> make_cgroups(Pod& pod, const RunArgs& args) {
  RKT_TRY_ASSIGN(auto layout, sys::detect_cgroups());
  RKT_TRY_ASSIGN(auto cgroups, PodCgroups::create(layout, args.uuid, pod.manifest.apps));
  std::vector<std::string> dirs(cgroups.pod_dirs().begin(), cgroups.pod_dirs().end());
  auto listed = util::write_file_atomic(pod.dir / k_cgroups_file, util::join(dirs, "\n") + "\n",
                                        0644, util::Durability::no_fsync);
  if (!listed) {
    (void)cgroups.remove();
    return std::move(listed).error();
  }
  for (size_t i = 0; i < pod.apps.size(); ++i) pod.apps[i].plan.cgroup = cgroups.app(i);
  return cgroups;
}

/// At the pod's exit its cgroups are empty: remove them (gc retries if this fails).
void remove_cgroups(const PodCgroups& cgroups) {
  if (auto removed = cgroups.remove(); !removed) {
    report("warning: {} (left for rkt gc)", removed.error().message);
  }
}

Result<int> run_native_init(const RunArgs& args) {
  RKT_TRY(keep_pod_lock());
  RKT_TRY_ASSIGN(auto pod_dir, current_pod_dir());
  RKT_TRY_ASSIGN(auto pod, load_pod(pod_dir, LaunchRoot::after_pivot));
  RKT_TRY(secure_apps(pod, args));
  pass_listen_fds(pod);
  if (args.interactive && pod.apps.size() != 1) {
    return Error::make(ErrorKind::invalid_argument,
                       "--interactive needs a pod with exactly one app");
  }
  PodInitOptions options{args, args.interactive ? interactive_session() : sys::Session::inherit};
  RKT_TRY_ASSIGN(auto signals, Supervisor::block_signals());
  if (args.interactive) {
    ::signal(SIGTSTP, SIG_IGN);  // job control is for the app, which shares our terminal
    ::signal(SIGTTOU, SIG_IGN);
    ::signal(SIGTTIN, SIG_IGN);
  }
  RKT_TRY_ASSIGN(auto cgroups, make_cgroups(pod, args));
  ScopeExit cleanup([&] { remove_cgroups(cgroups); });
  RKT_TRY(join_pod_netns(args));
  RKT_TRY_ASSIGN(options.user_namespace, enter_pod_namespaces(args));
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::from_errno(errno, "pipe");
  UniqueFd events_in(fds[0]);
  UniqueFd events_out(fds[1]);
  pid_t child = sys::fork_into_cgroup(cgroups.init_v2_dir());
  if (child < 0) return Error::from_errno(errno, "fork the pod's PID 1");
  if (child == 0) {
    events_in.reset();
    if (auto joined = cgroups.join_init(); !joined) {
      report("{}", joined.error().message);
      ::_exit(k_exit_failure);
    }
    ::_exit(run_pod_init(options, pod, std::move(events_out), std::move(signals)));
  }
  events_out.reset();
  std::string helper = args.machined_helper;
  if (!helper.empty()) {
    if (auto back = fork_into_own_pid_namespace(); !back) {
      report("warning: not registering with systemd-machined: {}", back.error().message);
      helper.clear();
    }
  }
  MachineRegistration machine(std::move(helper), args.uuid, pod.dir);
  int status = watch_pod(pod, child, std::move(events_in), signals, args.interactive, machine);
  machine.unregister();
  return status;
}

}  // namespace

int native_init_main(const std::vector<std::string>& raw_args) {
  auto args = parse_run_args(raw_args);
  if (!args) {
    report("init: {}", args.error().message);
    return k_exit_failure;
  }
  set_debug(args->debug);
  auto status = run_native_init(*args);
  if (!status) {
    report("{}", status.error().message);
    return k_exit_failure;
  }
  return *status;
}

}  // namespace rkt::stage1

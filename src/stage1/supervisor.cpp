#include "stage1/supervisor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stage1/paths.hpp"
#include "stage1/pod_cgroups.hpp"
#include "stage1/pod_files.hpp"
#include "stage1/report.hpp"
#include "util/file.hpp"

namespace rkt::stage1 {

namespace {

constexpr int k_supervised_signals[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP};

}  // namespace

Result<UniqueFd> Supervisor::block_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : k_supervised_signals) sigaddset(&set, sig);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return Error::from_errno(errno, "sigprocmask");
  ::signal(SIGPIPE, SIG_IGN);  // a closed stdout must not kill the supervisor
  UniqueFd fd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd) return Error::from_errno(errno, "signalfd");
  return fd;
}

Supervisor::Supervisor(std::vector<AppPlan> apps, SupervisorOptions options, UniqueFd signal_fd)
    : m_options(std::move(options)), m_signal_fd(std::move(signal_fd)), m_outcome(apps.size()) {
  for (auto& plan : apps) m_apps.push_back(App{std::move(plan), -1, std::nullopt});
  m_timer_fd.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  m_dev_null.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
}

int Supervisor::run(const std::function<void()>& on_started) {
  start_apps();
  on_started();
  while (!(m_outcome.all_exited() && outputs_closed() &&
           (m_killed_all || m_options.kill_scope == KillScope::apps))) {
    if (m_outcome.all_exited() && !m_killed_all &&
        m_options.kill_scope == KillScope::pid_namespace) {
      kill_remaining();  // daemons the apps left behind, which may hold their pipes open
      continue;
    }
    poll_once();
  }
  reap();
  return m_outcome.exit_status(k_app_start_failure);
}

void Supervisor::start_apps() {
  for (size_t i = 0; i < m_apps.size(); ++i) {
    if (m_outcome.stopping()) {
      m_outcome.record_exit(i, k_app_start_failure);  // never started: the pod is going down
      continue;
    }
    auto started = start_app(m_apps[i]);
    if (started) continue;
    std::string message = started.error().message;
    if (m_apps[i].output) {
      m_apps[i].output->note(message);
    } else {
      report("{}", message);
    }
    app_exited(i, k_app_start_failure);
  }
}

Result<void> Supervisor::start_app(App& app) {
  std::array<int, 3> stdio = {-1, -1, -1};
  if (m_options.stdio == AppStdio::piped) {
    RKT_TRY_ASSIGN(auto output, AppOutput::create(m_options.log_dir, app.plan.name));
    app.output.emplace(std::move(output));
    stdio = {m_dev_null.get(), app.output->stdout_writer(), app.output->stderr_writer()};
  }
  auto pid = stage1::start_app(app.plan, stdio, m_options.app_session);
  if (app.output) app.output->close_writers();
  if (!pid) return std::move(pid).error();
  app.pid = *pid;
  debug("started app {} as pid {}", app.plan.name, app.pid);
  return {};
}

void Supervisor::poll_once() {
  std::vector<pollfd> fds;
  fds.push_back({m_signal_fd.get(), POLLIN, 0});
  fds.push_back({m_timer_fd.get(), POLLIN, 0});
  for (const auto& app : m_apps) {
    for (size_t s = 0; s < 2; ++s) {
      fds.push_back({app.output ? app.output->reader(s) : -1, POLLIN, 0});
    }
  }
  if (::poll(fds.data(), fds.size(), -1) < 0) return;  // EINTR: go round again
  if (fds[0].revents) handle_signals();
  if (fds[1].revents) {
    uint64_t expirations = 0;
    ssize_t ignored = ::read(m_timer_fd.get(), &expirations, sizeof expirations);
    (void)ignored;
    report("apps still running {} s after the stop request: killing them",
           m_options.stop_timeout_seconds);
    kill_remaining();
  }
  for (size_t i = 0; i < m_apps.size(); ++i) {
    for (size_t s = 0; s < 2; ++s) {
      if (fds[2 + i * 2 + s].revents) m_apps[i].output->pump(s);
    }
  }
}

void Supervisor::handle_signals() {
  signalfd_siginfo info{};
  while (::read(m_signal_fd.get(), &info, sizeof info) == sizeof info) {
    int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGCHLD) {
      reap();
    } else if (sig == SIGINT && !m_options.forward_sigint) {
      debug("SIGINT: left to the app, which got it from the terminal");
    } else {
      debug("got signal {}: stopping the pod", sig);
      m_outcome.record_stop_request();
      request_stop(sig == SIGHUP ? SIGTERM : sig);
    }
  }
}

void Supervisor::reap() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < m_apps.size(); ++i) {
      if (m_apps[i].pid == pid) {
        m_apps[i].pid = -1;
        app_exited(i, sys::exit_status_from_wait(status));
      }
    }
  }
}

void Supervisor::app_exited(size_t index, int status) {
  App& app = m_apps[index];
  debug("app {} exited with status {}", app.plan.name, status);
  if (app.plan.cgroup && app.plan.cgroup->oom_killed()) note_oom_kill(app.plan.name, status);
  if (auto written = write_app_status(m_options.status_dir, app.plan.name, status); !written) {
    report("{}", written.error().message);
  }
  std::array<int, 3> stdio = {m_options.stdio == AppStdio::piped ? m_dev_null.get() : -1, -1, -1};
  if (auto ran = run_post_stop(app.plan, stdio); !ran) report("{}", ran.error().message);
  if (m_outcome.record_exit(index, status)) {
    bool others_running = false;
    for (const auto& other : m_apps) others_running = others_running || other.pid > 0;
    if (others_running) {
      report("app \"{}\" exited with status {}: stopping the other apps", app.plan.name, status);
    }
    request_stop(SIGTERM);
  }
}

void Supervisor::note_oom_kill(const std::string& app, int status) {
  if (status != 128 + SIGKILL) {  // a child of the app was killed, the app lived on
    report("the OOM killer killed a process of app \"{}\" (which exited with status {})", app,
           status);
    return;
  }
  report("app \"{}\" was killed by the OOM killer (exit status {})", app, status);
  fs::path dir = m_options.status_dir.parent_path() / fs::path(k_oom_killed_dir).filename();
  auto made = util::make_dirs(dir);
  if (!made) return report("{}", made.error().message);
  auto written = util::write_file_atomic(dir / app, "oom-killed\n", 0644, util::Durability::no_fsync);
  if (!written) report("{}", written.error().message);
}

void Supervisor::request_stop(int signal) {
  for (const auto& app : m_apps) {
    if (app.pid > 0) ::kill(app.pid, signal);
  }
  if (m_timer_armed) return;
  itimerspec spec{};
  spec.it_value.tv_sec = m_options.stop_timeout_seconds;
  if (::timerfd_settime(m_timer_fd.get(), 0, &spec, nullptr) == 0) m_timer_armed = true;
}

void Supervisor::kill_remaining() {
  if (m_options.kill_scope == KillScope::pid_namespace) {
    ::kill(-1, SIGKILL);  // as PID 1: every other process of the namespace
    m_killed_all = true;
    return;
  }
  for (const auto& app : m_apps) {
    if (app.pid > 0) ::kill(app.pid, SIGKILL);
  }
}

bool Supervisor::outputs_closed() const {
  for (const auto& app : m_apps) {
    if (app.output && !app.output->closed()) return false;
  }
  return true;
}

}  // namespace rkt::stage1

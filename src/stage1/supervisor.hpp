#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "stage1/app_output.hpp"
#include "stage1/app_plan.hpp"
#include "stage1/pod_outcome.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::stage1 {

namespace fs = std::filesystem;

/// Who is killed when the stop timeout expires or the apps are gone: everything in the pod's PID
/// namespace (the supervisor is its PID 1), or only the apps (stage1-fly shares the host's).
enum class KillScope { pid_namespace, apps };
/// Where the apps' stdout/stderr go: through the supervisor (echoed and logged), or straight to
/// the supervisor's own stdio (--interactive, stage1-fly).
enum class AppStdio { piped, inherited };

struct SupervisorOptions {
  AppStdio stdio = AppStdio::piped;
  sys::Session app_session = sys::Session::inherit;
  bool forward_sigint = true;  // false with --interactive: the terminal sends it to the app
  KillScope kill_scope = KillScope::pid_namespace;
  fs::path status_dir;  // /rkt/status/<app> written at each exit (and /rkt/oom-killed/<app>)
  fs::path log_dir;     // /rkt/logs/<app> (piped stdio only)
  int stop_timeout_seconds = 10;
};

/// Starts a pod's apps and watches them: reaps every child (orphans too), forwards SIGTERM,
/// SIGINT (and SIGHUP as SIGTERM) to the apps, kills what is left `stop_timeout_seconds` after a
/// stop, records each app's status, runs post-stop handlers, and applies the appc policy.
class Supervisor {
 public:
  /// Blocks the signals the supervisor reads (before any child exists, so no SIGCHLD is lost).
  static Result<UniqueFd> block_signals();

  Supervisor(std::vector<AppPlan> apps, SupervisorOptions options, UniqueFd signal_fd);
  /// Runs until every app has exited (and, with KillScope::pid_namespace, every process has
  /// gone); calls `on_started` once all apps are started. Returns the pod's exit status.
  int run(const std::function<void()>& on_started);

 private:
  struct App {
    AppPlan plan;
    pid_t pid = -1;
    std::optional<AppOutput> output;
  };

  void start_apps();
  Result<void> start_app(App& app);
  void handle_signals();
  void reap();
  void app_exited(size_t index, int status);
  /// Tells the user; records rkt/oom-killed/<app> when the app itself was killed.
  void note_oom_kill(const std::string& app, int status);
  void request_stop(int signal);
  void kill_remaining();
  bool outputs_closed() const;
  void poll_once();

  std::vector<App> m_apps;
  SupervisorOptions m_options;
  UniqueFd m_signal_fd;
  UniqueFd m_timer_fd;
  UniqueFd m_dev_null;
  PodOutcome m_outcome;
  bool m_timer_armed = false;
  bool m_killed_all = false;
};

}  // namespace rkt::stage1

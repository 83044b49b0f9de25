#include "pod/wait.hpp"

#include <chrono>
#include <thread>

#include "pod/pod_lock.hpp"

namespace rkt::pod {

namespace {

/// How often a wait re-reads the pod: short enough that `status --wait` feels immediate.
constexpr auto k_poll_interval = std::chrono::milliseconds(50);

/// A deadline on the monotonic clock, or none.
class Deadline {
 public:
  explicit Deadline(WaitTimeout timeout) {
    if (timeout) m_at = std::chrono::steady_clock::now() + *timeout;
  }
  bool unlimited() const { return !m_at; }
  bool passed() const { return m_at && std::chrono::steady_clock::now() >= *m_at; }
  /// Sleeps one poll interval, or less if the deadline comes first.
  void sleep() const {
    auto wake = std::chrono::steady_clock::now() + k_poll_interval;
    if (m_at && *m_at < wake) wake = *m_at;
    std::this_thread::sleep_until(wake);
  }

 private:
  std::optional<std::chrono::steady_clock::time_point> m_at;
};

bool will_never_run(PodState state) {
  return state == PodState::aborted_prepare || state == PodState::garbage ||
         state == PodState::deleting;
}

bool not_started_yet(PodState state) {
  return state == PodState::embryo || state == PodState::preparing || state == PodState::prepared;
}

Error never_runs(const Pod& pod) {
  return Error::make(ErrorKind::conflict, "pod \"{}\" will not run (state \"{}\")", pod.uuid(),
                     state_name(pod.state()));
}

Error timed_out(const Pod& pod, std::string_view what) {
  return Error::make(ErrorKind::interrupted, "timed out waiting for pod \"{}\" {}", pod.uuid(),
                     what);
}

/// Blocks on the pod's lock until its holder (the running pod) is gone.
Result<void> block_until_unlocked(const Pod& pod) {
  RKT_TRY_ASSIGN(auto lock,
                 lock_pod_dir_fd(pod.dir_fd(), util::LockMode::shared, util::LockWait::block));
  return {};
}

}  // namespace

Result<void> wait_for_exit(Pod& pod, WaitTimeout timeout) {
  Deadline deadline(timeout);
  while (true) {
    RKT_TRY(pod.refresh());
    if (is_after_run(pod.state())) return {};
    if (will_never_run(pod.state())) return never_runs(pod);
    if (pod.state() == PodState::running && deadline.unlimited()) {
      RKT_TRY(block_until_unlocked(pod));
      continue;
    }
    if (deadline.passed()) return timed_out(pod, "to exit");
    deadline.sleep();
  }
}

Result<void> wait_ready(Pod& pod, WaitTimeout timeout) {
  Deadline deadline(timeout);
  while (true) {
    RKT_TRY(pod.refresh());
    if (pod.is_supervisor_ready()) return {};
    if (will_never_run(pod.state())) return never_runs(pod);
    if (is_after_run(pod.state())) {
      return Error::make(ErrorKind::conflict, "pod \"{}\" exited before it was ready", pod.uuid());
    }
    if (deadline.passed()) return timed_out(pod, "to be ready");
    deadline.sleep();
  }
}

Result<pid_t> wait_for_pid(Pod& pod, WaitTimeout timeout) {
  Deadline deadline(timeout);
  while (true) {
    RKT_TRY(pod.refresh());
    if (pod.state() == PodState::running) {
      auto pid = pod.pid();
      if (pid || pid.error().kind != ErrorKind::not_found) return pid;
    } else if (!not_started_yet(pod.state())) {
      return Error::make(ErrorKind::conflict, "pod \"{}\" is not running", pod.uuid());
    }
    if (deadline.passed()) return timed_out(pod, "to start");
    deadline.sleep();
  }
}

}  // namespace rkt::pod

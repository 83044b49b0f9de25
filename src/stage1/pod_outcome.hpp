#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace rkt::stage1 {

/// The appc policy for a pod's life: every app runs until it exits; the first app that fails
/// (non-zero status) while the pod is not already stopping stops the others. The pod's status is
/// the first app's (as the stage1 interface says), so it is non-zero whenever an app failed.
class PodOutcome {
 public:
  explicit PodOutcome(size_t app_count) : m_statuses(app_count) {}

  /// Records that app `index` exited; returns true when this exit must stop the pod.
  bool record_exit(size_t index, int status);
  /// Notes a stop request (signal): later failures do not stop the pod again.
  void record_stop_request() { m_stopping = true; }
  bool stopping() const { return m_stopping || m_failed.has_value(); }
  bool exited(size_t index) const { return m_statuses[index].has_value(); }
  bool all_exited() const;
  /// The pod's exit status; apps that never ran count as `never_ran_status`.
  int exit_status(int never_ran_status) const;

 private:
  std::vector<std::optional<int>> m_statuses;
  std::optional<size_t> m_failed;
  bool m_stopping = false;
};

}  // namespace rkt::stage1

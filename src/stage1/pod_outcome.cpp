#include "stage1/pod_outcome.hpp"

namespace rkt::stage1 {

bool PodOutcome::record_exit(size_t index, int status) {
  m_statuses[index] = status;
  if (status == 0 || stopping()) return false;
  m_failed = index;
  return true;
}

bool PodOutcome::all_exited() const {
  for (const auto& status : m_statuses) {
    if (!status) return false;
  }
  return true;
}

int PodOutcome::exit_status(int never_ran_status) const {
  if (m_statuses.empty() || !m_statuses[0]) return never_ran_status;
  return *m_statuses[0];
}

}  // namespace rkt::stage1

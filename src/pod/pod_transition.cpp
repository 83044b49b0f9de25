#include "pod/pod_transition.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "pod/state_dirs.hpp"

namespace rkt::pod {

Result<void> move_pod_dir(const PodsDir& pods, std::string_view uuid, PodState from, PodState to) {
  if (!is_legal_transition(from, to) || state_dir_of(from) == state_dir_of(to)) {
    return Error::make(ErrorKind::invalid_argument, "pod \"{}\": no move from \"{}\" to \"{}\"",
                       uuid, state_name(from), state_name(to));
  }
  const auto target_dir = pods.state_dir(state_dir_of(to));
  const auto source = pods.pod_dir(state_dir_of(from), uuid);
  const auto target = target_dir / uuid;
  RKT_TRY(make_state_dir(pods, state_dir_of(to)));
  // RENAME_NOREPLACE: a target that exists means the pod is already further along (or a UUID
  // clash); never overwrite it.
  int rc = ::renameat2(AT_FDCWD, source.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && errno == EINVAL) rc = ::rename(source.c_str(), target.c_str());  // no flags here
  if (rc != 0) {
    return Error::from_errno(errno, "moving pod \"{}\" to {}", uuid,
                             state_dir_name(state_dir_of(to)));
  }
  // No fsync of the state directories (each cost a journal commit on every pod start): a move
  // that a crash undoes leaves the pod one state back, which list shows and gc handles, as for a
  // pod whose rkt was killed.
  return {};
}

Result<void> move_pod(Pod& pod, PodState to) {
  RKT_TRY(move_pod_dir(pod.pods_dir(), pod.uuid(), pod.state(), to));
  return pod.refresh();
}

bool lost_race(const Result<void>& result) {
  return !result && result.error().sys_errno == ENOENT;
}

}  // namespace rkt::pod

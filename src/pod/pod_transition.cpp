#include "pod/pod_transition.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "pod/state_dirs.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace rkt::pod {

namespace {

Result<void> fsync_dir(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", dir.string());
  if (::fsync(fd.get()) != 0) return Error::from_errno(errno, "fsync `{}`", dir.string());
  return {};
}

}  // namespace

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
  // The move happened; a failed fsync only weakens its durability across a crash.
  log::warn_and_drop(fsync_dir(target_dir));
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

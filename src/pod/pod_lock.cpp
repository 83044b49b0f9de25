#include "pod/pod_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

namespace rkt::pod {

Result<UniqueFd> open_pod_dir(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open pod directory `{}`", dir.string());
  return fd;
}

Result<UniqueFd> reopen_pod_dir(int dir_fd) {
  UniqueFd fd(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "reopen pod directory");
  return fd;
}

Result<bool> is_pod_locked(int dir_fd) {
  while (::flock(dir_fd, LOCK_SH | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return true;
    return Error::from_errno(errno, "probing the pod lock");
  }
  ::flock(dir_fd, LOCK_UN);
  return false;
}

Result<util::LockFile> lock_pod_dir(const std::filesystem::path& dir, util::LockMode mode,
                                    util::LockWait wait) {
  RKT_TRY_ASSIGN(auto fd, open_pod_dir(dir));
  auto lock = util::LockFile::acquire_fd(std::move(fd), mode, wait);
  if (!lock) return std::move(lock).error().wrap("locking pod `{}`", dir.filename().string());
  return lock;
}

Result<util::LockFile> lock_pod_dir_fd(int dir_fd, util::LockMode mode, util::LockWait wait) {
  RKT_TRY_ASSIGN(auto fd, reopen_pod_dir(dir_fd));
  return util::LockFile::acquire_fd(std::move(fd), mode, wait);
}

}  // namespace rkt::pod

#include "util/lock_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

namespace rkt::util {

namespace {

Result<void> do_flock(int fd, LockMode mode, LockWait wait) {
  int op =
      (mode == LockMode::shared ? LOCK_SH : LOCK_EX) | (wait == LockWait::no_block ? LOCK_NB : 0);
  while (::flock(fd, op) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return Error::make(ErrorKind::conflict, "lock is held");
    return Error::from_errno(errno, "flock");
  }
  return {};
}

}  // namespace

Result<LockFile> LockFile::acquire(const std::filesystem::path& path, LockMode mode,
                                   LockWait wait) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  if (fd < 0 && errno == ENOTDIR) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0660);
  if (fd < 0) return Error::from_errno(errno, "open lock `{}`", path.string());
  UniqueFd owned(fd);
  if (auto r = do_flock(owned.get(), mode, wait); !r) {
    return std::move(r).error().wrap("locking `{}`", path.string());
  }
  return LockFile(std::move(owned));
}

Result<LockFile> LockFile::acquire_fd(UniqueFd fd, LockMode mode, LockWait wait) {
  RKT_TRY(do_flock(fd.get(), mode, wait));
  return LockFile(std::move(fd));
}

Result<void> LockFile::relock(LockMode mode, LockWait wait) {
  return do_flock(m_fd.get(), mode, wait);
}

bool still_names(const std::filesystem::path& path, int fd) {
  struct stat by_fd {
  }, by_path{};
  if (::fstat(fd, &by_fd) != 0 || ::lstat(path.c_str(), &by_path) != 0) return false;
  return by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

}  // namespace rkt::util

#pragma once

#include <filesystem>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::util {

enum class LockMode { shared, exclusive };
enum class LockWait { block, no_block };

/// An flock(2) on a file or directory, released when dropped (or when the process dies).
class LockFile {
 public:
  /// Opens `path` (creating a regular file if missing and `path` is not a directory) and locks it.
  /// With LockWait::no_block a held lock fails with ErrorKind::conflict.
  static Result<LockFile> acquire(const std::filesystem::path& path, LockMode mode,
                                  LockWait wait = LockWait::block);
  /// Locks an already open descriptor (e.g. a pod directory handed over by its parent).
  static Result<LockFile> acquire_fd(UniqueFd fd, LockMode mode, LockWait wait);

  LockFile(LockFile&&) noexcept = default;
  LockFile& operator=(LockFile&&) noexcept = default;

  /// Changes the lock between shared and exclusive.
  Result<void> relock(LockMode mode, LockWait wait = LockWait::block);
  int fd() const { return m_fd.get(); }
  /// Hands the descriptor (and so the lock) to the caller, e.g. to pass it to an exec'd child.
  UniqueFd release() { return std::move(m_fd); }

 private:
  explicit LockFile(UniqueFd fd) : m_fd(std::move(fd)) {}
  UniqueFd m_fd;
};

/// Whether `path` still names the open file `fd`. A file locked after a wait (or just created)
/// may meanwhile have been moved into place, or unlinked, by another holder of the lock: then
/// the lock no longer guards anything at `path`.
bool still_names(const std::filesystem::path& path, int fd);

}  // namespace rkt::util

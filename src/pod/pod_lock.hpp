#pragma once

#include <filesystem>

#include "util/lock_file.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::pod {

/// Opens a pod directory (O_DIRECTORY, close-on-exec); its lock is an flock(2) on this descriptor.
Result<UniqueFd> open_pod_dir(const std::filesystem::path& dir);

/// A new open file description of the directory `dir_fd` refers to, so that a lock taken on it is
/// independent of `dir_fd` and follows the directory across renames.
Result<UniqueFd> reopen_pod_dir(int dir_fd);

/// Whether someone holds the pod's lock: tries a shared non-blocking flock on `dir_fd` (which must
/// not hold a lock itself) and drops it at once, as rkt probes.
Result<bool> is_pod_locked(int dir_fd);

/// Takes the pod's lock on a fresh descriptor of `dir`; with LockWait::no_block a held lock is
/// ErrorKind::conflict.
Result<util::LockFile> lock_pod_dir(const std::filesystem::path& dir, util::LockMode mode,
                                    util::LockWait wait);

/// Same, on the directory `dir_fd` refers to (wherever it has been renamed to since).
Result<util::LockFile> lock_pod_dir_fd(int dir_fd, util::LockMode mode, util::LockWait wait);

}  // namespace rkt::pod

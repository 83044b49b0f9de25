#include "store/temp_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <memory>
#include <string>

#include "store/store_paths.hpp"
#include "util/file.hpp"
#include "util/lock_file.hpp"
#include "util/log.hpp"

namespace rkt::store {

namespace {

constexpr int k_create_attempts = 8;

}  // namespace

Result<StoreTempFile> StoreTempFile::create(const std::filesystem::path& tmp_dir,
                                            std::string_view prefix) {
  for (int attempt = 0; attempt < k_create_attempts; ++attempt) {
    std::string name = (tmp_dir / (std::string(prefix) + "XXXXXX")).string();
    UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
    if (!fd) {
      if (errno == EACCES || errno == EPERM) return store_permission_error(errno, "creating", name);
      return Error::from_errno(errno, "creating temporary file in `{}`", tmp_dir.string());
    }
    // A recovery running between mkostemp and flock may have locked and unlinked the file;
    // then start over with a fresh name.
    bool locked = ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0;
    if (locked && util::still_names(name, fd.get())) {
      if (::fchmod(fd.get(), k_store_file_mode) != 0) {
        int err = errno;
        ::unlink(name.c_str());
        return Error::from_errno(err, "chmod `{}`", name);
      }
      return StoreTempFile(std::move(fd), name);
    }
    if (locked) ::unlink(name.c_str());
  }
  return Error::make(ErrorKind::io, "could not create a temporary file in `{}`", tmp_dir.string());
}

StoreTempFile::StoreTempFile(StoreTempFile&& other) noexcept
    : m_fd(std::move(other.m_fd)), m_path(std::exchange(other.m_path, {})) {}

StoreTempFile::~StoreTempFile() {
  // Unlink while the lock is still held so nobody else can mistake it for stale and race us.
  if (!m_path.empty()) ::unlink(m_path.c_str());
}

Result<size_t> remove_stale_temp_files(const std::filesystem::path& tmp_dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(tmp_dir.c_str()), &::closedir);
  if (!dir) {
    if (errno == ENOENT) return size_t{0};
    return Error::from_errno(errno, "opendir `{}`", tmp_dir.string());
  }
  size_t removed = 0;
  while (const dirent* entry = ::readdir(dir.get())) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    const auto path = tmp_dir / entry->d_name;
    UniqueFd fd(::openat(::dirfd(dir.get()), entry->d_name,
                         O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    // O_NOFOLLOW fails with ELOOP on a symlink: nobody in the store makes those, so it is stale
    // too. Anything else we cannot open (gone already, not ours to read) is left alone.
    if (!fd && errno != ELOOP) continue;
    if (fd && ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;  // in use
    if (auto r = util::remove_all(path); !r) {
      log::warn("removing stale temporary `{}`: {}", path.string(), r.error().message);
      continue;
    }
    log::debug("removed stale temporary `{}`", path.string());
    ++removed;
  }
  return removed;
}

}  // namespace rkt::store

#pragma once

#include <filesystem>
#include <string_view>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::store {

/// A file in cas/tmp, flock'ed for as long as it lives so that recovery can tell it from the
/// leftover of a dead process; unlinked when dropped unless release()d (after renaming it away).
/// Anything put in cas/tmp without such a lock is removed by the next store write.
class StoreTempFile {
 public:
  /// Creates "<tmp_dir>/<prefix>XXXXXX" with mode 0660, opened read-write and locked.
  static Result<StoreTempFile> create(const std::filesystem::path& tmp_dir,
                                      std::string_view prefix);
  StoreTempFile(StoreTempFile&& other) noexcept;
  StoreTempFile& operator=(StoreTempFile&&) = delete;
  ~StoreTempFile();

  int fd() const { return m_fd.get(); }
  const std::filesystem::path& path() const { return m_path; }
  /// The file was renamed away: don't unlink anything when dropped.
  void release() { m_path.clear(); }

 private:
  StoreTempFile(UniqueFd fd, std::filesystem::path path)
      : m_fd(std::move(fd)), m_path(std::move(path)) {}
  UniqueFd m_fd;
  std::filesystem::path m_path;
};

/// Removes the entries of `tmp_dir` (files or dirs) whose lock is free: their creator is gone.
/// Returns how many were removed.
Result<size_t> remove_stale_temp_files(const std::filesystem::path& tmp_dir);

}  // namespace rkt::store

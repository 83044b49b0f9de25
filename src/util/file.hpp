#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace rkt::util {

namespace fs = std::filesystem;

/// Whether write_file_atomic fsyncs before renaming: durable state wants it, caches may skip it.
enum class Durability { fsync, no_fsync };

Result<std::string> read_file(const fs::path& path);
/// Writes to a temporary file beside `path`, then renames it over `path`.
Result<void> write_file_atomic(const fs::path& path, std::string_view content, mode_t mode = 0644,
                               Durability durability = Durability::fsync);
/// mkdir -p with `mode` for each directory created.
Result<void> make_dirs(const fs::path& path, mode_t mode = 0755);
/// rm -rf; a missing path is not an error.
Result<void> remove_all(const fs::path& path);
bool path_exists(const fs::path& path);
bool is_dir(const fs::path& path);
bool is_regular(const fs::path& path);

/// A directory made under `parent` (or $TMPDIR) and removed with its contents when dropped.
class TempDir {
 public:
  static Result<TempDir> create(const fs::path& parent = {}, std::string_view prefix = "rkt-");
  TempDir(TempDir&& other) noexcept : m_path(std::exchange(other.m_path, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const fs::path& path() const { return m_path; }
  /// Keeps the directory: the caller took ownership (typically by renaming it).
  fs::path release() { return std::exchange(m_path, {}); }

 private:
  explicit TempDir(fs::path path) : m_path(std::move(path)) {}
  fs::path m_path;
};

}  // namespace rkt::util

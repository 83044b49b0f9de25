#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rkt::store {

/// The identity of a regular file as the kernel keeps it: any write to the content, and any
/// change of mode, owner or xattrs, moves ctime, which no system call can set back.
struct FileStamp {
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;

  static FileStamp of(const struct stat& st);
  bool operator==(const FileStamp&) const = default;
};

/// The content hashes a full verification of a rendered tree computed, keyed by path and stamp,
/// so that the next verification hashes only files whose stamp moved since (as git's index
/// does). A tree is still walked and every entry's type, mode, owner and symlink target checked
/// on every run; only unchanged file contents are taken from here. Files changed within a few
/// seconds before the scan are not remembered: the kernel's coarse clock could give a second
/// write in the same tick the same ctime.
class VerifiedContents {
 public:
  /// Parses what serialize() wrote, keeping the records whose hex digest has `hex_size`
  /// characters (the tree's algorithm); a damaged text yields what could be read (at worst
  /// nothing, which only means hashing everything again).
  static VerifiedContents parse(std::string_view text, size_t hex_size);
  std::string serialize() const;

  /// The recorded hex digest of `path` if its stamp is still `stamp`, else null.
  const std::string* find(const std::string& path, const FileStamp& stamp) const;
  /// Remembers a freshly hashed file, unless it changed too recently to be trusted.
  void remember(const std::string& path, const FileStamp& stamp, std::string hex, time_t now);
  size_t size() const { return m_files.size(); }

 private:
  struct Known {
    FileStamp stamp;
    std::string hex;
  };
  std::unordered_map<std::string, Known> m_files;
};

}  // namespace rkt::store

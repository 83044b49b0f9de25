#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "store/tree_hash.hpp"
#include "util/block_broadcast.hpp"
#include "util/result.hpp"

namespace rkt::store {

/// `rkt image extract/render --rootfs-only`: the rootfs contents alone, or manifest + rootfs/.
enum class RootfsOnly { yes, no };

/// appc pathWhitelists: an entry is kept when every whitelist lists it, or it is a directory on the
/// way to something listed. No whitelist keeps everything.
class PathFilter {
 public:
  /// Adds one pathWhitelist (absolute paths as in a manifest); an empty list adds nothing.
  void add_whitelist(const std::vector<std::string>& paths);
  /// Whether the entry at `path` (relative to rootfs, "." for the root) is extracted.
  bool keep(std::string_view path, bool is_dir) const;
  bool empty() const { return m_lists.empty(); }

 private:
  struct Whitelist {
    std::unordered_set<std::string> paths;
    std::unordered_set<std::string> ancestors;
  };
  std::vector<Whitelist> m_lists;
};

/// Where and how one ACI tar is extracted.
struct ExtractOptions {
  std::filesystem::path rootfs_dir;     // receives the contents of the tar's rootfs/ (must exist)
  std::filesystem::path manifest_path;  // receives the tar's `manifest`; empty: not written
  const PathFilter* filter = nullptr;   // null: keep everything
  TreeHashBuilder* hash = nullptr;      // null: no hashing; else entries are recorded as written
};

/// Extracts the rootfs/ entries of the ACI tar at `tar_path` (compression is detected) with
/// libarchive over what `rootfs_dir` already holds (lower layers): owners (as root), modes, times
/// and xattrs are kept; `..` and absolute names are refused; nothing is written through a
/// symlink, and whatever is in the way of an entry (a file, a symlink even to a directory, a
/// directory in the way of a non-directory) is replaced, never followed; directories merge.
Result<void> extract_aci(const std::filesystem::path& tar_path, const ExtractOptions& options);
/// Same, reading an uncompressed ACI tar from an in-process stream up to the end of the tar;
/// `source` names it in errors.
Result<void> extract_aci_blocks(const util::BlockReader& blocks, std::string_view source,
                                const ExtractOptions& options);

}  // namespace rkt::store

#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string_view>

#include "util/result.hpp"

namespace rkt::store {

namespace fs = std::filesystem;

/// Directory modes of rkt's data dir (setup-data-dir.sh): setgid so files inherit the `rkt` group.
inline constexpr mode_t k_data_dir_mode = 02750;
inline constexpr mode_t k_cas_dir_mode = 02770;
inline constexpr mode_t k_tree_dir_mode = 02700;
inline constexpr mode_t k_locks_dir_mode = 02750;
/// Mode of the index database and of blobs: group members of `rkt` read and write them.
inline constexpr mode_t k_store_file_mode = 0660;
/// The group whose members may fetch and list images without root.
inline constexpr const char* k_store_group = "rkt";

/// Every path of the image store, derived from the data dir (--dir).
struct StorePaths {
  explicit StorePaths(fs::path data_dir);

  fs::path data_dir;     // D                     2750
  fs::path cas;          // D/cas                 2770
  fs::path db_dir;       // D/cas/db              2770
  fs::path db_file;      // D/cas/db/index.sqlite3 0660
  fs::path blob_dir;     // D/cas/blob            2770
  fs::path blob_sha512;  // D/cas/blob/sha512     2770 (then <2 hex>/<key>)
  fs::path tmp;          // D/cas/tmp             2770 downloads and imports in progress
  fs::path tree;         // D/cas/tree            2700 rendered trees (tree store)
  fs::path image_locks;  // D/cas/imagelocks      2770 one flock file per blob key
  fs::path locks;        // D/locks               2750

  /// D/cas/blob/sha512/<first 2 hex of the key>/<key>.
  fs::path blob_path(std::string_view key) const;
  /// The lock file guarding blob `key` (creation, removal, orphan recovery).
  fs::path image_lock(std::string_view key) const;
};

/// The gid of group `rkt`, if it exists on this host.
std::optional<gid_t> store_group();

/// Creates `path` with exactly `mode` (and group `gid`) if missing; an existing dir is left alone.
Result<void> make_store_dir(const fs::path& path, mode_t mode, std::optional<gid_t> gid);

/// Creates the missing store directories and checks that the store is writable by this user.
Result<void> prepare_store_layout(const StorePaths& paths);

/// A permission failure on `path` with the hint rkt users need.
Error store_permission_error(int err, std::string_view action, const fs::path& path);

}  // namespace rkt::store

#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/image_info.hpp"
#include "store/remote_info.hpp"
#include "store/sqlite_db.hpp"
#include "util/result.hpp"

namespace rkt::store {

/// How long a writer waits for another process's transaction before giving up.
inline constexpr std::chrono::milliseconds k_busy_timeout{30000};

/// The SQLite index of the image store (cas/db/index.sqlite3): tables `version`, `aciinfo`
/// (one row per blob) and `remote` (HTTP cache data), created and upgraded by a migrations list.
class StoreIndex {
 public:
  /// Opens (creating with mode 0660 and group `gid` if missing) and migrates the database.
  static Result<StoreIndex> open(const std::filesystem::path& db_file, std::optional<gid_t> gid);

  /// The newest schema version this code knows.
  static int latest_schema_version();
  Result<int> schema_version();

  /// Inserts or replaces the row of `info.key`, keeping its tree size. A row with the same key
  /// but another full ID is a conflict (a 256-bit prefix collision).
  Result<void> upsert_image(const ImageInfo& info);
  Result<std::optional<ImageInfo>> get_image(std::string_view key);
  Result<std::vector<ImageInfo>> images_with_name(std::string_view name);
  /// Images whose full ID starts with `prefix` (lowercase hex), at most `limit` of them.
  Result<std::vector<ImageInfo>> images_with_id_prefix(std::string_view prefix, int limit);
  /// Every image, oldest import first.
  Result<std::vector<ImageInfo>> all_images();
  Result<std::vector<std::string>> all_keys();
  /// Deletes the image row and the remote rows that point to it; false if there was no row.
  Result<bool> delete_image(std::string_view key);
  /// False if there is no such image.
  Result<bool> set_last_used(std::string_view key, std::chrono::system_clock::time_point time);
  Result<bool> set_tree_size(std::string_view key, uint64_t size);

  Result<std::optional<RemoteInfo>> get_remote(std::string_view aci_url);
  Result<void> put_remote(const RemoteInfo& remote);

 private:
  explicit StoreIndex(SqliteDb db) : m_db(std::move(db)) {}
  Result<void> configure();
  Result<void> migrate();
  Result<std::vector<ImageInfo>> collect(SqliteStatement stmt);

  SqliteDb m_db;
};

}  // namespace rkt::store

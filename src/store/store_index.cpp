#include "store/store_index.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <thread>

#include "appc/manifest.hpp"
#include "store/store_paths.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace rkt::store {

namespace {

using Clock = std::chrono::system_clock;

struct Migration {
  int version;
  std::string_view sql;
};

// Append only: a store written by an older rkt is upgraded by running the missing steps in order.
constexpr std::array k_migrations{
    Migration{1, R"sql(
CREATE TABLE aciinfo (
  blobkey TEXT PRIMARY KEY NOT NULL,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  manifest TEXT NOT NULL,
  importtime INTEGER NOT NULL,
  lastused INTEGER NOT NULL,
  latest INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0,
  treestoresize INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX aciinfo_name ON aciinfo(name);
CREATE TABLE remote (
  aciurl TEXT PRIMARY KEY NOT NULL,
  sigurl TEXT NOT NULL DEFAULT '',
  etag TEXT NOT NULL DEFAULT '',
  blobkey TEXT NOT NULL,
  cachemaxage INTEGER NOT NULL DEFAULT 0,
  downloadtime INTEGER NOT NULL
);
CREATE INDEX remote_blobkey ON remote(blobkey);
)sql"},
};

constexpr std::string_view k_image_columns =
    "blobkey, id, name, manifest, importtime, lastused, latest, size, treestoresize";

int64_t to_nanos(Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

Clock::time_point from_nanos(int64_t nanos) {
  return Clock::time_point(
      std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(nanos)));
}

ImageInfo image_from_row(const SqliteStatement& row) {
  ImageInfo info;
  info.key = row.column_text(0);
  info.id = row.column_text(1);
  info.name = row.column_text(2);
  info.manifest_json = row.column_text(3);
  info.import_time = from_nanos(row.column_int64(4));
  info.last_used = from_nanos(row.column_int64(5));
  info.latest = row.column_int64(6) != 0;
  info.size = static_cast<uint64_t>(row.column_int64(7));
  info.tree_size = static_cast<uint64_t>(row.column_int64(8));
  if (auto manifest = appc::parse_image_manifest(info.manifest_json)) {
    info.manifest = std::move(manifest).value();
    info.labels = info.manifest.labels;
  } else {
    // Keep the image usable by key (list, rm, gc) even if its manifest no longer parses.
    log::warn("image {}: stored manifest: {}", info.key, manifest.error().message);
    info.manifest.name = info.name;
  }
  return info;
}

/// Creates the database file with the store's mode and group, so that the SQLite files that
/// follow it (-wal, -shm take the db file's mode) are usable by the rkt group.
Result<void> create_db_file(const std::filesystem::path& db_file, std::optional<gid_t> gid) {
  UniqueFd fd(::open(db_file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, k_store_file_mode));
  if (!fd) {
    if (errno == EEXIST) {
      if (::access(db_file.c_str(), R_OK | W_OK) != 0) {
        return store_permission_error(errno, "opening", db_file);
      }
      return {};
    }
    if (errno == EACCES || errno == EPERM)
      return store_permission_error(errno, "creating", db_file);
    return Error::from_errno(errno, "creating `{}`", db_file.string());
  }
  if (gid && ::fchown(fd.get(), static_cast<uid_t>(-1), *gid) != 0 && errno != EPERM) {
    return Error::from_errno(errno, "chgrp `{}`", db_file.string());
  }
  if (::fchmod(fd.get(), k_store_file_mode) != 0) {
    return Error::from_errno(errno, "chmod `{}`", db_file.string());
  }
  return {};
}

}  // namespace

Result<StoreIndex> StoreIndex::open(const std::filesystem::path& db_file,
                                    std::optional<gid_t> gid) {
  RKT_TRY(create_db_file(db_file, gid));
  RKT_TRY_ASSIGN(auto db, SqliteDb::open(db_file, SqliteOpenMode::read_write, k_busy_timeout));
  StoreIndex index(std::move(db));
  RKT_TRY(index.configure());
  RKT_TRY(index.migrate());
  return index;
}

Result<void> StoreIndex::configure() {
  // Switching a new database to WAL needs an exclusive lock; with several processes opening
  // a fresh store at once one of them may see SQLITE_BUSY despite the busy timeout.
  const auto deadline = std::chrono::steady_clock::now() + k_busy_timeout;
  while (true) {
    auto r = m_db.exec("PRAGMA journal_mode=WAL");
    if (r) break;
    if (r.error().kind != ErrorKind::conflict || std::chrono::steady_clock::now() > deadline) {
      return std::move(r).error().wrap("opening the image store index");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  RKT_TRY(m_db.exec("PRAGMA synchronous=NORMAL"));
  // Closing leaves the WAL not checkpointed (SqliteDb::open), and the next process to open the
  // index reads the whole WAL back: keep it short. A checkpoint every 64 pages (some 20 `rkt run`s,
  // which record the images' last use) bounds that read to ~250 KB.
  return m_db.exec("PRAGMA wal_autocheckpoint=64");
}

int StoreIndex::latest_schema_version() {
  return k_migrations.back().version;
}

Result<int> StoreIndex::schema_version() {
  RKT_TRY_ASSIGN(auto exists,
                 m_db.query("SELECT 1 FROM sqlite_master WHERE type='table' AND name='version'"));
  RKT_TRY_ASSIGN(bool has_table, exists.step());
  if (!has_table) return 0;
  RKT_TRY_ASSIGN(auto stmt, m_db.query("SELECT COALESCE(MAX(version), 0) FROM version"));
  RKT_TRY_ASSIGN(bool row, stmt.step());
  return row ? static_cast<int>(stmt.column_int64(0)) : 0;
}

Result<void> StoreIndex::migrate() {
  RKT_TRY_ASSIGN(int current, schema_version());
  if (current == latest_schema_version()) return {};
  RKT_TRY_ASSIGN(auto txn, m_db.begin(TransactionKind::immediate));
  RKT_TRY_ASSIGN(current, schema_version());  // another process may have migrated meanwhile
  if (current > latest_schema_version()) {
    return Error::make(ErrorKind::invalid_argument,
                       "the image store has schema version {}, newer than this rkt knows ({})",
                       current, latest_schema_version());
  }
  RKT_TRY(m_db.exec("CREATE TABLE IF NOT EXISTS version (version INTEGER NOT NULL)"));
  for (const Migration& migration : k_migrations) {
    if (migration.version <= current) continue;
    if (auto r = m_db.exec(migration.sql); !r) {
      return std::move(r).error().wrap("migrating the image store to version {}",
                                       migration.version);
    }
  }
  RKT_TRY(m_db.exec("DELETE FROM version"));
  RKT_TRY_ASSIGN(auto insert,
                 m_db.query("INSERT INTO version (version) VALUES (?)", latest_schema_version()));
  RKT_TRY(insert.run());
  return txn.commit();
}

Result<void> StoreIndex::upsert_image(const ImageInfo& info) {
  RKT_TRY_ASSIGN(auto txn, m_db.begin(TransactionKind::immediate));
  RKT_TRY_ASSIGN(auto existing, get_image(info.key));
  if (existing && existing->id != info.id) {
    return Error::make(ErrorKind::conflict, "image {} collides with {} in the store", info.id,
                       existing->id);
  }
  RKT_TRY_ASSIGN(auto stmt, m_db.query(R"sql(
INSERT INTO aciinfo (blobkey, id, name, manifest, importtime, lastused, latest, size)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (blobkey) DO UPDATE SET name = excluded.name, manifest = excluded.manifest,
  importtime = excluded.importtime, lastused = excluded.lastused, latest = excluded.latest,
  size = excluded.size)sql",
                                       info.key, info.id, info.name, info.manifest_json,
                                       to_nanos(info.import_time), to_nanos(info.last_used),
                                       info.latest, static_cast<int64_t>(info.size)));
  RKT_TRY(stmt.run());
  return txn.commit();
}

Result<std::vector<ImageInfo>> StoreIndex::collect(SqliteStatement stmt) {
  std::vector<ImageInfo> out;
  while (true) {
    RKT_TRY_ASSIGN(bool row, stmt.step());
    if (!row) break;
    out.push_back(image_from_row(stmt));
  }
  return out;
}

Result<std::optional<ImageInfo>> StoreIndex::get_image(std::string_view key) {
  RKT_TRY_ASSIGN(
      auto stmt,
      m_db.query(fmt::format("SELECT {} FROM aciinfo WHERE blobkey = ?", k_image_columns), key));
  RKT_TRY_ASSIGN(auto images, collect(std::move(stmt)));
  if (images.empty()) return std::optional<ImageInfo>();
  return std::optional<ImageInfo>(std::move(images.front()));
}

Result<std::vector<ImageInfo>> StoreIndex::images_with_name(std::string_view name) {
  RKT_TRY_ASSIGN(auto stmt, m_db.query(fmt::format("SELECT {} FROM aciinfo WHERE name = ? "
                                                   "ORDER BY importtime",
                                                   k_image_columns),
                                       name));
  return collect(std::move(stmt));
}

Result<std::vector<ImageInfo>> StoreIndex::images_with_id_prefix(std::string_view prefix,
                                                                 int limit) {
  // GLOB is case-sensitive and can use the id index; the caller checked `prefix` is plain hex.
  RKT_TRY_ASSIGN(auto stmt, m_db.query(fmt::format("SELECT {} FROM aciinfo WHERE id GLOB ? "
                                                   "ORDER BY importtime LIMIT ?",
                                                   k_image_columns),
                                       std::string(prefix) + "*", limit));
  return collect(std::move(stmt));
}

Result<std::vector<ImageInfo>> StoreIndex::all_images() {
  RKT_TRY_ASSIGN(auto stmt, m_db.query(fmt::format("SELECT {} FROM aciinfo ORDER BY importtime",
                                                   k_image_columns)));
  return collect(std::move(stmt));
}

Result<std::vector<std::string>> StoreIndex::all_keys() {
  RKT_TRY_ASSIGN(auto stmt, m_db.query("SELECT blobkey FROM aciinfo"));
  std::vector<std::string> keys;
  while (true) {
    RKT_TRY_ASSIGN(bool row, stmt.step());
    if (!row) break;
    keys.push_back(stmt.column_text(0));
  }
  return keys;
}

Result<bool> StoreIndex::delete_image(std::string_view key) {
  RKT_TRY_ASSIGN(auto txn, m_db.begin(TransactionKind::immediate));
  RKT_TRY_ASSIGN(auto stmt, m_db.query("DELETE FROM aciinfo WHERE blobkey = ?", key));
  RKT_TRY(stmt.run());
  if (m_db.changes() == 0) return false;  // rolls back (nothing to undo)
  RKT_TRY_ASSIGN(auto remote, m_db.query("DELETE FROM remote WHERE blobkey = ?", key));
  RKT_TRY(remote.run());
  RKT_TRY(txn.commit());
  return true;
}

Result<bool> StoreIndex::set_last_used(std::string_view key, Clock::time_point time) {
  RKT_TRY_ASSIGN(auto stmt, m_db.query("UPDATE aciinfo SET lastused = ? WHERE blobkey = ?",
                                       to_nanos(time), key));
  RKT_TRY(stmt.run());
  return m_db.changes() > 0;
}

Result<bool> StoreIndex::set_tree_size(std::string_view key, uint64_t size) {
  RKT_TRY_ASSIGN(auto stmt, m_db.query("UPDATE aciinfo SET treestoresize = ? WHERE blobkey = ?",
                                       static_cast<int64_t>(size), key));
  RKT_TRY(stmt.run());
  return m_db.changes() > 0;
}

Result<std::optional<RemoteInfo>> StoreIndex::get_remote(std::string_view aci_url) {
  RKT_TRY_ASSIGN(auto stmt, m_db.query("SELECT aciurl, sigurl, etag, blobkey, cachemaxage, "
                                       "downloadtime FROM remote WHERE aciurl = ?",
                                       aci_url));
  RKT_TRY_ASSIGN(bool row, stmt.step());
  if (!row) return std::optional<RemoteInfo>();
  RemoteInfo remote;
  remote.aci_url = stmt.column_text(0);
  remote.sig_url = stmt.column_text(1);
  remote.etag = stmt.column_text(2);
  remote.blob_key = stmt.column_text(3);
  remote.cache_max_age = stmt.column_int64(4);
  remote.download_time = from_nanos(stmt.column_int64(5));
  return std::optional<RemoteInfo>(std::move(remote));
}

Result<void> StoreIndex::put_remote(const RemoteInfo& remote) {
  RKT_TRY_ASSIGN(auto stmt, m_db.query(R"sql(
INSERT INTO remote (aciurl, sigurl, etag, blobkey, cachemaxage, downloadtime)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (aciurl) DO UPDATE SET sigurl = excluded.sigurl, etag = excluded.etag,
  blobkey = excluded.blobkey, cachemaxage = excluded.cachemaxage,
  downloadtime = excluded.downloadtime)sql",
                                       remote.aci_url, remote.sig_url, remote.etag, remote.blob_key,
                                       remote.cache_max_age, to_nanos(remote.download_time)));
  return stmt.run();
}

}  // namespace rkt::store

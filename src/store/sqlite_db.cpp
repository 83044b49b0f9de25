#include "store/sqlite_db.hpp"

#include <sqlite3.h>

#include <chrono>

#include "util/log.hpp"

namespace rkt::store {

Error sqlite_error(sqlite3* db, int code, std::string_view what) {
  const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  ErrorKind kind = ErrorKind::io;
  int primary = code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) kind = ErrorKind::conflict;
  if (primary == SQLITE_PERM || primary == SQLITE_READONLY || primary == SQLITE_AUTH) {
    kind = ErrorKind::permission;
  }
  if (primary == SQLITE_CANTOPEN && db) {
    int sys = sqlite3_system_errno(db);
    if (sys == EACCES || sys == EPERM) kind = ErrorKind::permission;
  }
  return Error::make(kind, "{}: {}", what, message ? message : "unknown SQLite error");
}

void SqliteStatement::Finalizer::operator()(sqlite3_stmt* stmt) const {
  sqlite3_finalize(stmt);
}

Error SqliteStatement::error(std::string_view what) const {
  int code = sqlite3_errcode(m_db);
  const char* sql = sqlite3_sql(m_stmt.get());
  return sqlite_error(m_db, code, fmt::format("{} `{}`", what, sql ? sql : ""));
}

Result<void> SqliteStatement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text64(m_stmt.get(), index, value.data(), value.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    return error("binding");
  }
  return {};
}

Result<void> SqliteStatement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(m_stmt.get(), index, value) != SQLITE_OK) return error("binding");
  return {};
}

Result<void> SqliteStatement::bind_null(int index) {
  if (sqlite3_bind_null(m_stmt.get(), index) != SQLITE_OK) return error("binding");
  return {};
}

Result<bool> SqliteStatement::step() {
  int rc = sqlite3_step(m_stmt.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error("running");
}

Result<void> SqliteStatement::run() {
  RKT_TRY_ASSIGN(bool row, step());
  (void)row;
  return {};
}

int64_t SqliteStatement::column_int64(int index) const {
  return sqlite3_column_int64(m_stmt.get(), index);
}

std::string SqliteStatement::column_text(int index) const {
  const auto* text = sqlite3_column_text(m_stmt.get(), index);
  if (!text) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(m_stmt.get(), index)));
}

bool SqliteStatement::column_is_null(int index) const {
  return sqlite3_column_type(m_stmt.get(), index) == SQLITE_NULL;
}

SqliteTransaction::SqliteTransaction(SqliteTransaction&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)) {}

SqliteTransaction::~SqliteTransaction() {
  if (m_db) log::warn_and_drop(m_db->exec("ROLLBACK"));
}

Result<void> SqliteTransaction::commit() {
  SqliteDb* db = std::exchange(m_db, nullptr);
  if (auto r = db->exec("COMMIT"); !r) {
    log::warn_and_drop(db->exec("ROLLBACK"));
    return r;
  }
  return {};
}

void SqliteDb::Closer::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}

Result<SqliteDb> SqliteDb::open(const std::filesystem::path& path, SqliteOpenMode mode,
                                std::chrono::milliseconds busy_timeout) {
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (mode) {
    case SqliteOpenMode::read_write_create:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    case SqliteOpenMode::read_write:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case SqliteOpenMode::read_only:
      flags |= SQLITE_OPEN_READONLY;
      break;
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) {
    return sqlite_error(raw, rc, fmt::format("opening database `{}`", path.string()));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));
  // Every rkt command opens and closes the index; a checkpoint at each close cost two
  // fdatasyncs (up to 100+ ms behind other writers' data). The WAL stays and SQLite checkpoints
  // it as it grows (wal_autocheckpoint), so durability is unchanged.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  return db;
}

Result<void> SqliteDb::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(m_db.get(), text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string detail = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    Error e = sqlite_error(m_db.get(), rc, "");
    e.message = fmt::format("running `{}`: {}", text, detail);
    return e;
  }
  return {};
}

Result<SqliteStatement> SqliteDb::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(m_db.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return sqlite_error(m_db.get(), rc, fmt::format("preparing `{}`", sql));
  }
  return SqliteStatement(m_db.get(), stmt);
}

Result<SqliteTransaction> SqliteDb::begin(TransactionKind kind) {
  RKT_TRY(exec(kind == TransactionKind::immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return SqliteTransaction(this);
}

int64_t SqliteDb::changes() const {
  return sqlite3_changes64(m_db.get());
}

}  // namespace rkt::store

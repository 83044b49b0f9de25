#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "util/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace rkt::store {

/// A prepared statement; step() through its rows, read columns by index.
class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&&) noexcept = default;
  SqliteStatement& operator=(SqliteStatement&&) noexcept = default;

  Result<void> bind(int index, std::string_view value);
  Result<void> bind(int index, int64_t value);
  Result<void> bind_null(int index);
  /// Binds every argument in order, starting at parameter 1.
  template <typename... Args>
  Result<void> bind_all(const Args&... args) {
    int index = 0;
    Result<void> result;
    ((result ? void(result = bind_one(++index, args)) : void()), ...);
    return result;
  }

  /// Advances to the next row: true when a row is available, false when done.
  Result<bool> step();
  /// Runs a statement that returns no rows.
  Result<void> run();

  int64_t column_int64(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

 private:
  friend class SqliteDb;
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}

  template <typename T>
  Result<void> bind_one(int index, const T& value) {
    if constexpr (std::is_same_v<T, std::nullptr_t>) {
      return bind_null(index);
    } else if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T>) {
      return bind(index, static_cast<int64_t>(value));
    } else {
      return bind(index, std::string_view(value));
    }
  }
  Error error(std::string_view what) const;

  sqlite3* m_db = nullptr;
  std::unique_ptr<sqlite3_stmt, Finalizer> m_stmt;
};

enum class SqliteOpenMode { read_write_create, read_write, read_only };
enum class TransactionKind { deferred, immediate };

class SqliteDb;

/// Rolls back unless commit() was called.
class SqliteTransaction {
 public:
  SqliteTransaction(SqliteTransaction&& other) noexcept;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();
  Result<void> commit();

 private:
  friend class SqliteDb;
  explicit SqliteTransaction(SqliteDb* db) : m_db(db) {}
  SqliteDb* m_db;
};

/// An open SQLite connection (C API, RAII).
class SqliteDb {
 public:
  /// Opens `path`; busy_timeout makes concurrent writers wait instead of failing.
  static Result<SqliteDb> open(const std::filesystem::path& path, SqliteOpenMode mode,
                               std::chrono::milliseconds busy_timeout);
  SqliteDb(SqliteDb&&) noexcept = default;
  SqliteDb& operator=(SqliteDb&&) noexcept = default;

  /// Runs one or more statements without results.
  Result<void> exec(std::string_view sql);
  Result<SqliteStatement> prepare(std::string_view sql);
  /// Prepares `sql` and binds `args` to its parameters in order.
  template <typename... Args>
  Result<SqliteStatement> query(std::string_view sql, const Args&... args) {
    RKT_TRY_ASSIGN(auto stmt, prepare(sql));
    RKT_TRY(stmt.bind_all(args...));
    return stmt;
  }
  /// BEGIN IMMEDIATE takes the write lock up front, so a writer never fails on lock upgrade.
  Result<SqliteTransaction> begin(TransactionKind kind);
  /// Number of rows the last INSERT/UPDATE/DELETE changed.
  int64_t changes() const;
  sqlite3* handle() const { return m_db.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  explicit SqliteDb(sqlite3* db) : m_db(db) {}
  std::unique_ptr<sqlite3, Closer> m_db;
};

/// Turns an SQLite result code into an Error ("database is locked" becomes ErrorKind::conflict).
Error sqlite_error(sqlite3* db, int code, std::string_view what);

}  // namespace rkt::store

#include "store/sqlite_db.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace rkt::store {
namespace {

using namespace std::chrono_literals;

class SqliteDbTest : public ::testing::Test {
 protected:
  SqliteDb open() {
    auto db = SqliteDb::open(m_dir.path() / "t.db", SqliteOpenMode::read_write_create, 1000ms);
    EXPECT_TRUE(db) << db.error().message;
    return std::move(db).value();
  }
  util::TempDir m_dir = rkt::test::make_temp_dir();
};

TEST_F(SqliteDbTest, BindsAndReadsColumns) {
  auto db = open();
  ASSERT_TRUE(db.exec("CREATE TABLE t (s TEXT, i INTEGER, n TEXT)"));
  auto insert =
      db.query("INSERT INTO t VALUES (?, ?, ?)", std::string("a\0b", 3), int64_t{-5}, nullptr);
  ASSERT_TRUE(insert);
  ASSERT_TRUE(insert->run());
  EXPECT_EQ(db.changes(), 1);
  auto select = db.query("SELECT s, i, n FROM t WHERE i = ?", -5);
  ASSERT_TRUE(select);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->column_text(0), std::string("a\0b", 3));
  EXPECT_EQ(select->column_int64(1), -5);
  EXPECT_TRUE(select->column_is_null(2));
  EXPECT_FALSE(*select->step());
}

TEST_F(SqliteDbTest, TransactionRollsBackUnlessCommitted) {
  auto db = open();
  ASSERT_TRUE(db.exec("CREATE TABLE t (x INTEGER)"));
  {
    auto txn = db.begin(TransactionKind::immediate);
    ASSERT_TRUE(txn);
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)"));
  }
  {
    auto txn = db.begin(TransactionKind::deferred);
    ASSERT_TRUE(txn);
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (2)"));
    ASSERT_TRUE(txn->commit());
  }
  auto count = db.query("SELECT group_concat(x) FROM t");
  ASSERT_TRUE(count && *count->step());
  EXPECT_EQ(count->column_text(0), "2");
}

TEST_F(SqliteDbTest, ErrorsNameTheStatement) {
  auto db = open();
  auto bad = db.prepare("SELEKT 1");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("SELEKT 1"), std::string::npos);
}

}  // namespace
}  // namespace rkt::store

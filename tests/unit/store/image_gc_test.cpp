#include "store/image_gc.hpp"

#include <gtest/gtest.h>

#include "store/sqlite_db.hpp"
#include "store/store_fixture.hpp"
#include "store/store_index.hpp"
#include "util/file.hpp"

namespace rkt::store::test {
namespace {

using namespace std::chrono_literals;

class ImageGc : public StoreFixture {
 protected:
  ImageInfo import(const std::string& name) {
    auto info = m_store.import_aci(
        write_aci(AciBuilder::simple(name), Compression::gzip, name.substr(name.find('/') + 1)));
    EXPECT_TRUE(info) << info.error().message;
    return *info;
  }
  /// Pretends the image was last used `age` ago.
  void age(const ImageInfo& image, std::chrono::nanoseconds age) {
    auto db = SqliteDb::open(m_store.paths().db_file, SqliteOpenMode::read_write, k_busy_timeout);
    ASSERT_TRUE(db);
    auto stmt = db->query("UPDATE aciinfo SET lastused = lastused - ? WHERE blobkey = ?",
                          static_cast<int64_t>(age.count()), image.key);
    ASSERT_TRUE(stmt);
    ASSERT_TRUE(stmt->run());
  }
  ImageStore m_store = open_store();
};

TEST_F(ImageGc, RemovesImagesUnusedLongerThanGrace) {
  auto old_image = import("example.com/old");
  auto older_image = import("example.com/older");
  auto fresh = import("example.com/fresh");
  age(old_image, 48h);
  age(older_image, 72h);
  age(fresh, 1h);
  auto removed = gc_images(m_store, 24h, {});
  ASSERT_TRUE(removed) << removed.error().message;
  ASSERT_EQ(removed->size(), 2u);
  EXPECT_EQ((*removed)[0].key, older_image.key);  // least recently used first
  EXPECT_EQ((*removed)[1].key, old_image.key);
  EXPECT_FALSE(util::path_exists(m_store.blob_path(old_image.key)));
  auto left = m_store.list();
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().key, fresh.key);
}

TEST_F(ImageGc, KeepsImagesInUse) {
  auto by_key = import("example.com/a");
  auto by_id = import("example.com/b");
  auto unused = import("example.com/c");
  for (const auto& image : {by_key, by_id, unused}) age(image, 48h);
  auto removed = gc_images(m_store, 24h, {by_key.key, by_id.id});
  ASSERT_TRUE(removed);
  ASSERT_EQ(removed->size(), 1u);
  EXPECT_EQ(removed->front().key, unused.key);
  EXPECT_EQ(m_store.list()->size(), 2u);
}

TEST_F(ImageGc, ZeroGraceRemovesEverythingUnused) {
  import("example.com/a");
  import("example.com/b");
  auto removed = gc_images(m_store, 0ns, {});
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->size(), 2u);
  expect_store_empty(m_store);
}

}  // namespace
}  // namespace rkt::store::test

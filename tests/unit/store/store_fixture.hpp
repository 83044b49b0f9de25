#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/image_store.hpp"
#include "support/aci_builder.hpp"
#include "support/temp_dir.hpp"

namespace rkt::store::test {

namespace fs = std::filesystem;
using rkt::test::AciBuilder;
using rkt::test::Compression;

/// A fresh data dir per test, with helpers to write ACIs and inspect the store's files.
class StoreFixture : public ::testing::Test {
 protected:
  fs::path data_dir() const { return m_dir.path() / "data"; }

  ImageStore open_store() {
    auto store = ImageStore::open(data_dir());
    if (!store) ADD_FAILURE() << store.error().message;
    return std::move(store).value();
  }

  fs::path write_aci(const AciBuilder& builder, Compression compression = Compression::none,
                     const std::string& name = "image") {
    fs::path path = m_dir.path() / (name + AciBuilder::suffix(compression));
    builder.write(path, compression);
    return path;
  }

  /// Every regular file under `dir`, recursively.
  static std::vector<fs::path> files_under(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_directory()) out.push_back(it->path());
    }
    return out;
  }

  static mode_t mode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  /// No image row, no blob file, nothing in cas/tmp.
  void expect_store_empty(ImageStore& store) {
    auto images = store.list();
    ASSERT_TRUE(images) << images.error().message;
    EXPECT_TRUE(images->empty());
    EXPECT_TRUE(files_under(store.paths().blob_dir).empty());
    EXPECT_TRUE(files_under(store.paths().tmp).empty());
  }

  rkt::util::TempDir m_dir = rkt::test::make_temp_dir();
};

}  // namespace rkt::store::test

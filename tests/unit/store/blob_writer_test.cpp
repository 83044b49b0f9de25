#include "store/blob_writer.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/temp_dir.hpp"
#include "util/digest.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace rkt::store {
namespace {

TEST(BlobWriter, HashesAndWritesEverythingInOrder) {
  auto dir = rkt::test::make_temp_dir();
  const auto path = dir.path() / "blob";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd);
  std::string expected;
  BlobWriter writer(fd.get(), "test");
  // Odd sizes so that chunk boundaries fall everywhere; more than the chunk pool holds.
  for (int i = 0; i < 400; ++i) {
    std::string piece(static_cast<size_t>(i * 97 + 13), static_cast<char>('a' + i % 26));
    expected += piece;
    ASSERT_TRUE(writer.write(piece.data(), piece.size()));
  }
  auto digest = writer.finish();
  ASSERT_TRUE(digest) << digest.error().message;
  EXPECT_EQ(digest->size, expected.size());
  EXPECT_EQ(digest->sha512_hex, util::sha512_hex(expected));
  EXPECT_EQ(*util::read_file(path), expected);
  EXPECT_EQ(::fcntl(fd.get(), F_GETFL) & O_DIRECT, 0) << "the descriptor is left as it was given";
}

TEST(BlobWriter, ReportsWriteFailures) {
  UniqueFd fd(::open("/dev/full", O_WRONLY | O_CLOEXEC));
  if (!fd) GTEST_SKIP() << "no /dev/full";
  BlobWriter writer(fd.get(), "full.aci");
  std::string data(3 << 20, 'x');
  bool failed = false;
  for (int i = 0; i < 8 && !failed; ++i) failed = !writer.write(data.data(), data.size());
  auto digest = writer.finish();
  ASSERT_FALSE(digest);
  EXPECT_NE(digest.error().message.find("full.aci"), std::string::npos);
}

TEST(BlobWriter, DroppingWithoutFinishIsSafe) {
  UniqueFd fd(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  BlobWriter writer(fd.get(), "null");
  std::string data(5 << 20, 'y');
  ASSERT_TRUE(writer.write(data.data(), data.size()));
}

}  // namespace
}  // namespace rkt::store

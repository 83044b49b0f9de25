#include "util/lock_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "support/temp_dir.hpp"
#include "util/file.hpp"

namespace rkt::util {
namespace {

TEST(StillNames, FollowsTheFileNotTheName) {
  TempDir dir = test::make_temp_dir();
  auto path = dir.path() / "download";
  ASSERT_TRUE(write_file_atomic(path, "part", 0644, Durability::no_fsync));
  auto lock = LockFile::acquire(path, LockMode::exclusive);
  ASSERT_TRUE(lock);
  EXPECT_TRUE(still_names(path, lock->fd()));
  // Another holder moved a fresh file into place: the lock guards the old one only.
  auto fresh = dir.path() / "fresh";
  ASSERT_TRUE(write_file_atomic(fresh, "done", 0644, Durability::no_fsync));
  ASSERT_EQ(std::rename(fresh.c_str(), path.c_str()), 0);
  EXPECT_FALSE(still_names(path, lock->fd()));
  ASSERT_EQ(::unlink(path.c_str()), 0);
  EXPECT_FALSE(still_names(path, lock->fd()));
}

}  // namespace
}  // namespace rkt::util

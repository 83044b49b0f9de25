#include "sys/path_in_root.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "support/temp_dir.hpp"
#include "util/file.hpp"

namespace rkt::sys {
namespace {

class PathInRootTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(util::make_dirs(root() / "usr/bin")); }
  void link(const char* target, const char* name) {
    ASSERT_EQ(::symlink(target, (root() / name).c_str()), 0);
  }
  const fs::path& root() const { return m_dir.path(); }
  util::TempDir m_dir = test::make_temp_dir();
};

TEST_F(PathInRootTest, PlainPathsAreJoined) {
  EXPECT_EQ(*resolve_in_root(root(), "/usr/bin"), root() / "usr/bin");
  EXPECT_EQ(*resolve_in_root(root(), "usr//bin/."), root() / "usr/bin");
  EXPECT_EQ(*resolve_in_root(root(), "/"), root());
}

TEST_F(PathInRootTest, MissingComponentsAreKept) {
  EXPECT_EQ(*resolve_in_root(root(), "/usr/nope/x"), root() / "usr/nope/x");
  EXPECT_EQ(*resolve_in_root(root(), "/nope/../usr"), root() / "usr");
}

TEST_F(PathInRootTest, AbsoluteSymlinksStayInside) {
  link("/usr/bin", "bin");
  EXPECT_EQ(*resolve_in_root(root(), "/bin/sh"), root() / "usr/bin/sh");
  link("/etc/../../../../etc", "escape");
  EXPECT_EQ(*resolve_in_root(root(), "/escape/passwd"), root() / "etc/passwd");
}

TEST_F(PathInRootTest, DotDotIsClampedAtTheRoot) {
  EXPECT_EQ(*resolve_in_root(root(), "/../../usr"), root() / "usr");
  link("../../..", "up");
  EXPECT_EQ(*resolve_in_root(root(), "/up/usr/bin"), root() / "usr/bin");
}

TEST_F(PathInRootTest, RelativeSymlinksResolveFromTheirDirectory) {
  link("usr/bin", "b");
  ASSERT_EQ(::symlink("../bin", (root() / "usr/bin/up").c_str()), 0);
  EXPECT_EQ(*resolve_in_root(root(), "/b/up"), root() / "usr/bin");
}

TEST_F(PathInRootTest, LoopsFail) {
  link("/loop2", "loop1");
  link("/loop1", "loop2");
  auto result = resolve_in_root(root(), "/loop1/x");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().sys_errno, ELOOP);
}

}  // namespace
}  // namespace rkt::sys

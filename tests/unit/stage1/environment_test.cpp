#include "stage1/environment.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/temp_dir.hpp"
#include "util/file.hpp"

namespace rkt::stage1 {
namespace {

TEST(EnvFileTest, ParsesLines) {
  auto env = parse_env_file("PATH=/bin\n\nA=b=c\nEMPTY=\n");
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(*env, (std::vector<std::string>{"PATH=/bin", "A=b=c", "EMPTY="}));
  EXPECT_EQ(env_value(*env, "A"), "b=c");
  EXPECT_EQ(env_value(*env, "PAT"), "");
  EXPECT_EQ(env_value(*env, "EMPTY"), "");
}

TEST(EnvFileTest, RejectsLinesWithoutName) {
  auto env = parse_env_file("A=1\nnot a variable\n");
  ASSERT_FALSE(env);
  EXPECT_NE(env.error().message.find("line 2"), std::string::npos);
  EXPECT_FALSE(parse_env_file("=x\n"));
}

TEST(EnvFileTest, ReadErrorsNameTheFile) {
  auto env = read_env_file("/nonexistent/env/a");
  ASSERT_FALSE(env);
  EXPECT_NE(env.error().message.find("/nonexistent/env/a"), std::string::npos);
}

class FindExecutableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(util::make_dirs(root() / "usr/bin"));
    ASSERT_TRUE(util::make_dirs(root() / "bin"));
    ASSERT_TRUE(util::write_file_atomic(root() / "usr/bin/tool", "#!/bin/sh\n", 0755));
    ASSERT_TRUE(util::write_file_atomic(root() / "bin/data", "not executable", 0644));
  }
  const fs::path& root() const { return m_dir.path(); }
  util::TempDir m_dir = test::make_temp_dir();
};

TEST_F(FindExecutableTest, SearchesPathInsideTheRootfs) {
  EXPECT_EQ(*find_executable(root(), "tool", "/bin:/usr/bin", "/"), "/usr/bin/tool");
  EXPECT_EQ(*find_executable(root(), "tool", "", "/"), "/usr/bin/tool");  // appc's default
  EXPECT_EQ(*find_executable(root(), "data", "/bin", "/"), "data");       // not executable
  EXPECT_EQ(*find_executable(root(), "nope", "/bin", "/"), "nope");
}

TEST_F(FindExecutableTest, AbsoluteAndRelativePaths) {
  EXPECT_EQ(*find_executable(root(), "/bin/anything", "/bin", "/"), "/bin/anything");
  EXPECT_EQ(*find_executable(root(), "./run.sh", "/bin", "/srv/app"), "/srv/app/run.sh");
  EXPECT_EQ(*find_executable(root(), "../x", "/bin", "/srv/app"), "/srv/x");
}

TEST_F(FindExecutableTest, SymlinkedPathDirectoriesStayInside) {
  ASSERT_EQ(::symlink("/usr/bin", (root() / "sbin").c_str()), 0);
  EXPECT_EQ(*find_executable(root(), "tool", "/sbin", "/"), "/sbin/tool");
}

}  // namespace
}  // namespace rkt::stage1

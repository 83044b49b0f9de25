#include "stage1/pod_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "support/temp_dir.hpp"
#include "util/file.hpp"

namespace rkt::stage1 {
namespace {

TEST(PodFilesTest, StatusAndPidFilesAreBareNumbers) {
  auto dir = test::make_temp_dir();
  ASSERT_TRUE(write_app_status(dir.path(), "web", 143));
  EXPECT_EQ(*util::read_file(dir.path() / "web"), "143");
  ASSERT_TRUE(write_pid_file(dir.path() / "pid", 4242));
  EXPECT_EQ(*util::read_file(dir.path() / "pid"), "4242");
}

TEST(PodFilesTest, SupervisorReadyIsASymlink) {
  auto dir = test::make_temp_dir();
  auto path = dir.path() / "supervisor-status";
  ASSERT_TRUE(mark_supervisor_ready(path));
  ASSERT_TRUE(mark_supervisor_ready(path));  // idempotent
  char target[16] = {};
  ASSERT_EQ(::readlink(path.c_str(), target, sizeof target - 1), 5);
  EXPECT_STREQ(target, "ready");
}

TEST(PodFilesTest, FallbackHostsNamesLocalhostAndTheHost) {
  auto hosts = fallback_hosts("rkt-abc");
  EXPECT_NE(hosts.find("127.0.0.1\tlocalhost"), std::string::npos);
  EXPECT_NE(hosts.find("::1\tlocalhost"), std::string::npos);
  EXPECT_NE(hosts.find(" rkt-abc\n"), std::string::npos);
}

}  // namespace
}  // namespace rkt::stage1

#include "sys/cgroups.hpp"

#include <gtest/gtest.h>

namespace rkt::sys {
namespace {

// This machine's shape: v1 controllers plus a controller-less cgroup2 at .../unified.
constexpr const char* k_hybrid_mountinfo =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
    "41 30 0:31 / /elsewhere/memory rw,relatime - cgroup cgroup rw,memory\n";
constexpr const char* k_hybrid_self =
    "9:name=systemd:/\n5:devices:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/user.slice\n";

TEST(CgroupsTest, HybridLayout) {
  auto layout = parse_cgroup_layout(k_hybrid_mountinfo, k_hybrid_self);
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_EQ(layout->mode(), CgroupMode::hybrid);
  ASSERT_EQ(layout->hierarchies.size(), 5u) << "the second memory mount is the same hierarchy";
  const CgroupHierarchy* memory = layout->with("memory");
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ(memory->mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ(memory->own_path, "/process_api/abc");
  EXPECT_EQ(memory->dir("/process_api/abc/x"), "/sys/fs/cgroup/memory/process_api/abc/x");
  const CgroupHierarchy* systemd = layout->with("name=systemd");
  ASSERT_NE(systemd, nullptr);
  EXPECT_EQ(systemd->controllers, std::vector<std::string>{"name=systemd"}) << "xattr is no controller";
  EXPECT_EQ(layout->hierarchies.back().version, CgroupVersion::v2);
  EXPECT_EQ(layout->hierarchies.back().own_path, "/user.slice");
  EXPECT_EQ(layout->with("pids"), nullptr);
}

TEST(CgroupsTest, UnifiedAndLegacyAndNone) {
  auto unified = parse_cgroup_layout(
      "30 22 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n", "0::/init.scope\n");
  ASSERT_TRUE(unified);
  EXPECT_EQ(unified->mode(), CgroupMode::unified);
  EXPECT_EQ(unified->hierarchies[0].own_path, "/init.scope");
  EXPECT_EQ(unified->hierarchies[0].dir("/"), "/sys/fs/cgroup");

  auto legacy = parse_cgroup_layout(
      "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpuacct,cpu\n",
      "2:cpu,cpuacct:/a\n");
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->mode(), CgroupMode::legacy);
  ASSERT_NE(legacy->with("cpu"), nullptr);
  EXPECT_EQ(legacy->with("cpu")->own_path, "/a");

  auto none = parse_cgroup_layout("22 1 0:21 / /proc rw - proc proc rw\n", "");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->mode(), CgroupMode::none);
}

TEST(CgroupsTest, MountRootIsStrippedFromTheOwnPath) {
  auto layout = parse_cgroup_layout(
      "31 30 0:28 /outer /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
      "4:memory:/outer/inner\n");
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->with("memory")->own_path, "/inner");
}

TEST(CgroupsTest, KeyValue) {
  EXPECT_EQ(cgroup_key_value("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", "oom_kill"), 3);
  EXPECT_EQ(cgroup_key_value("low 0\nhigh 0\nmax 2\noom 1\n", "oom_kill"), 0);
}

TEST(CgroupsTest, DetectOnThisMachine) {
  auto layout = detect_cgroups();
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_NE(layout->mode(), CgroupMode::none);
}

}  // namespace
}  // namespace rkt::sys

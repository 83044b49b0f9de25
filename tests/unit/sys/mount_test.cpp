#include "sys/mount.hpp"

#include <gtest/gtest.h>

#include "sys/namespaces.hpp"

namespace rkt::sys {
namespace {

constexpr const char* k_mountinfo =
    "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw\n"
    "36 22 98:0 /mnt1 /with\\040space rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n"
    "40 22 0:50 / /no/optional rw - tmpfs none rw,size=10k\n";

TEST(MountInfoTest, ParsesFieldsAndEscapes) {
  auto mounts = parse_mountinfo(k_mountinfo);
  ASSERT_TRUE(mounts) << mounts.error().message;
  ASSERT_EQ(mounts->size(), 3u);
  EXPECT_EQ((*mounts)[0].id, 22);
  EXPECT_EQ((*mounts)[0].parent_id, 1);
  EXPECT_EQ((*mounts)[0].mount_point, "/proc");
  EXPECT_EQ((*mounts)[0].fstype, "proc");
  EXPECT_EQ((*mounts)[1].root, "/mnt1");
  EXPECT_EQ((*mounts)[1].mount_point, "/with space");
  EXPECT_EQ((*mounts)[1].options, "rw,noatime");
  EXPECT_EQ((*mounts)[1].source, "/dev/root");
  EXPECT_EQ((*mounts)[2].fstype, "tmpfs");
  EXPECT_EQ((*mounts)[2].source, "none");
}

TEST(MountInfoTest, RejectsMalformedLines) {
  EXPECT_FALSE(parse_mountinfo("22 1 0:21 / /proc rw\n"));
  EXPECT_FALSE(parse_mountinfo("x 1 0:21 / /proc rw - proc proc rw\n"));
}

TEST(MountInfoTest, ReadsOwnMountinfo) {
  auto mounts = read_mountinfo();
  ASSERT_TRUE(mounts) << mounts.error().message;
  EXPECT_FALSE(mounts->empty());
}

TEST(MountTest, ErrorsNameThePaths) {
  auto bound = bind_mount("/nonexistent/source", "/nonexistent/target");
  ASSERT_FALSE(bound);
  EXPECT_NE(bound.error().message.find("`/nonexistent/source` on `/nonexistent/target`"),
            std::string::npos);
  auto mounted = mount("tmpfs", "/nonexistent/target", "tmpfs", 0, "size=1k");
  ASSERT_FALSE(mounted);
  EXPECT_NE(mounted.error().message.find("/nonexistent/target"), std::string::npos);
  EXPECT_NE(mounted.error().message.find("size=1k"), std::string::npos);
  auto unmounted = unmount("/nonexistent/target");
  ASSERT_FALSE(unmounted);
  EXPECT_NE(unmounted.error().message.find("unmount `/nonexistent/target`"), std::string::npos);
}

TEST(MountGuardTest, ReleasedGuardsDoNothing) {
  MountGuard guard("/nonexistent/target");
  EXPECT_EQ(guard.target(), "/nonexistent/target");
  EXPECT_EQ(guard.release(), "/nonexistent/target");
  EXPECT_TRUE(guard.unmount_now());
  MountGuard failing("/nonexistent/target", UnmountMode::normal);
  EXPECT_FALSE(failing.unmount_now());
  EXPECT_TRUE(failing.target().empty());
}

TEST(NamespacesTest, NamesAndSelfComparison) {
  EXPECT_STREQ(namespace_name(Namespace::mount), "mnt");
  EXPECT_STREQ(namespace_name(Namespace::net), "net");
  auto same = same_namespace(::getpid(), Namespace::mount);
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_TRUE(*same);
  EXPECT_TRUE(join_namespaces_of(::getpid(), {Namespace::uts, Namespace::ipc}));
  EXPECT_FALSE(open_namespace(999999999, Namespace::net));
}

}  // namespace
}  // namespace rkt::sys

#include "pod/pod_mounts.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "pod/pod.hpp"
#include "pod/pod_delete.hpp"
#include "pod_fixture.hpp"
#include "util/file.hpp"

namespace rkt::pod {
namespace {

using test::k_uuid_a;

TEST(PodMounts, ParsesMountPointsWithEscapes) {
  const char* text =
      "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
      "30 22 0:25 / /var/lib/rkt/pods/run/x/stage1/rootfs/opt/stage2/my\\040app/rootfs rw - "
      "overlay overlay rw\n";
  auto points = mount_points_from_mountinfo(text);
  ASSERT_TRUE(points) << points.error().message;
  ASSERT_EQ(points->size(), 2u);
  EXPECT_EQ((*points)[1], "/var/lib/rkt/pods/run/x/stage1/rootfs/opt/stage2/my app/rootfs");
  EXPECT_FALSE(mount_points_from_mountinfo("garbage line\n"));
}

TEST(PodMounts, DeepestFirstAndOnlyBelowTheDir) {
  std::vector<std::string> points = {"/",
                                     "/p/pod",
                                     "/p/pod/stage1/rootfs",
                                     "/p/pod/stage1/rootfs/opt/stage2/a/rootfs",
                                     "/p/pod/stage1/rootfs/proc",
                                     "/p/pod-other/x",
                                     "/p/pod/stage1/rootfs"};
  auto under = mounts_under(points, "/p/pod");
  ASSERT_EQ(under.size(), 5u);
  EXPECT_EQ(under[0], "/p/pod/stage1/rootfs/opt/stage2/a/rootfs");
  EXPECT_EQ(under[1], "/p/pod/stage1/rootfs/proc");
  EXPECT_EQ(under[2], "/p/pod/stage1/rootfs");
  EXPECT_EQ(under[3], "/p/pod/stage1/rootfs");
  EXPECT_EQ(under[4], "/p/pod");
}

class PodDelete : public test::PodsFixture {};

TEST_F(PodDelete, RefusesPodsThatAreNotGarbage) {
  make_pod(StateDir::run, k_uuid_a);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  EXPECT_FALSE(delete_pod(*pod, {}));
  EXPECT_TRUE(fs::exists(pod->dir()));
}

TEST_F(PodDelete, RemoveTreeKeepsSymlinkTargets) {
  auto target = tmp() / "outside";
  test::write_text(target / "precious", "x");
  auto tree = tmp() / "tree";
  fs::create_directories(tree / "a");
  fs::create_directory_symlink(target, tree / "a" / "link");
  ASSERT_TRUE(remove_tree(tree));
  EXPECT_FALSE(fs::exists(tree));
  EXPECT_TRUE(fs::exists(target / "precious"));
}

/// Runs `body` in a child with its own mount namespace (so test mounts never touch the host's);
/// returns the child's exit status.
template <typename F>
int in_private_mount_ns(F body) {
  pid_t child = ::fork();
  if (child == 0) {
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      ::_exit(77);
    }
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

TEST_F(PodDelete, UnmountsLeftoversInsteadOfFailingBusy) {
  if (!test::running_as_root()) GTEST_SKIP() << "mounting needs root";
  auto dir = make_pod(StateDir::exited_garbage, k_uuid_a);
  PodPaths paths(dir);
  auto app_rootfs = paths.app_rootfs("app");
  auto proc = paths.stage1_rootfs() / "proc";
  fs::create_directories(app_rootfs);
  fs::create_directories(proc);
  auto outside = tmp() / "host-volume";
  test::write_text(outside / "precious", "x");
  int status = in_private_mount_ns([&] {
    // tmpfs on the app rootfs, a host dir bind-mounted inside it, and a stacked mount.
    if (::mount("tmpfs", app_rootfs.c_str(), "tmpfs", 0, nullptr) != 0) return 10;
    fs::create_directories(app_rootfs / "vol");
    if (::mount(outside.c_str(), (app_rootfs / "vol").c_str(), nullptr, MS_BIND, nullptr) != 0) {
      return 11;
    }
    if (::mount("tmpfs", proc.c_str(), "tmpfs", 0, nullptr) != 0) return 12;
    if (::mount("tmpfs", proc.c_str(), "tmpfs", 0, nullptr) != 0) return 13;
    auto pod = Pod::load(pods(), k_uuid_a);
    if (!pod) return 14;
    auto lock = pod->lock(util::LockMode::exclusive, util::LockWait::no_block);
    if (!lock) return 15;
    auto deleted = delete_pod(*pod, {});
    if (!deleted) {
      fprintf(stderr, "%s\n", deleted.error().message.c_str());
      return 16;
    }
    auto left = util::read_file("/proc/self/mountinfo");
    if (!left || left->find(dir.string()) != std::string::npos) return 17;
    return 0;
  });
  if (status == 77) GTEST_SKIP() << "cannot make a mount namespace here";
  ASSERT_EQ(status, 0);
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_TRUE(fs::exists(outside / "precious"));  // the bind-mounted host dir was not emptied
}

}  // namespace
}  // namespace rkt::pod

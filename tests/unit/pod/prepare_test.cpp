#include "pod/prepare.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "appc/manifest.hpp"
#include "pod/pod_lock.hpp"
#include "prepare_fixture.hpp"

namespace rkt::pod::test {
namespace {

using testing::HasSubstr;

class Prepare : public PrepareFixture {};

TEST_F(Prepare, ForPrepareWritesThePodDirectory) {
  RKT_SKIP_UNLESS_ROOT();
  PodRequest request = request_for({import(app_aci("example.com/app"), "app.aci")});
  request.set_env = {{"POD", "yes"}};
  request.uuid_file_save = (m_dir.path() / "uuid").string();
  auto pod = prepare_pod(pods(), store(), request, PrepareMode::for_prepare);
  ASSERT_TRUE(pod) << pod.error().message;
  EXPECT_FALSE(pod->lock);
  EXPECT_EQ(pod->dir, pods().pod_dir(StateDir::prepared, pod->uuid));
  EXPECT_EQ(read_text(m_dir.path() / "uuid"), pod->uuid);
  EXPECT_TRUE(pods_in(StateDir::prepare).empty());
  EXPECT_TRUE(pods_in(StateDir::embryo).empty());

  PodPaths paths(pod->dir);
  auto lock_fd = open_pod_dir(paths.dir);
  ASSERT_TRUE(lock_fd);
  EXPECT_FALSE(is_pod_locked(lock_fd->get()).value());

  auto manifest = appc::parse_pod_manifest(read_text(paths.manifest()));
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(*manifest, pod->manifest);
  ASSERT_EQ(manifest->apps.size(), 1u);
  EXPECT_EQ(manifest->apps[0].name, "app");
  EXPECT_TRUE(fs::exists(paths.created_marker()));

  std::string stage1_tree = read_text(paths.stage1_tree_id());
  EXPECT_TRUE(fs::is_directory(store().paths().tree / stage1_tree / "rootfs"));
  EXPECT_THAT(read_text(paths.stage1_manifest()), HasSubstr("coreos.com/rkt/stage1/run"));
  EXPECT_TRUE(fs::exists(paths.stage1_rootfs() / "init"));
  for (const char* dir : {"rkt/status", "rkt/env", "rkt/logs"}) {
    EXPECT_TRUE(fs::is_directory(paths.stage1_rootfs() / dir)) << dir;
  }

  std::string app_tree = read_text(paths.app_tree_id("app"));
  EXPECT_TRUE(fs::is_directory(store().paths().tree / app_tree / "rootfs"));
  EXPECT_THAT(read_text(paths.app_image_manifest("app")), HasSubstr("example.com/app"));
  EXPECT_EQ(read_text(paths.app_dir("app") / "manifest"),
            read_text(paths.app_image_manifest("app")));
  EXPECT_TRUE(fs::is_directory(paths.app_rootfs("app")));
  EXPECT_TRUE(fs::is_empty(paths.app_rootfs("app")));  // mounted at run time
  EXPECT_TRUE(fs::is_directory(paths.overlay_upper("app")));
  EXPECT_TRUE(fs::is_directory(paths.overlay_work("app")));
  EXPECT_TRUE(fs::exists(paths.overlay_prepared()));

  std::string env = read_text(paths.app_env("app"));
  EXPECT_THAT(env, HasSubstr("IMG=1\n"));
  EXPECT_THAT(env, HasSubstr("POD=yes\n"));
  EXPECT_THAT(env, HasSubstr("AC_APP_NAME=app\n"));
  EXPECT_THAT(env, HasSubstr("container=rkt\n"));

  // The image's mountPoint "data" has no volume: an implicit empty one.
  EXPECT_EQ(stat_of(paths.shared_volume("data")).st_mode & 07777, 0755u);
}

TEST_F(Prepare, ForRunKeepsTheLockInRun) {
  RKT_SKIP_UNLESS_ROOT();
  PodRequest request = request_for({import(app_aci("example.com/app"), "app.aci")});
  auto pod = prepare_pod(pods(), store(), request, PrepareMode::for_run);
  ASSERT_TRUE(pod) << pod.error().message;
  ASSERT_TRUE(pod->lock);
  EXPECT_EQ(pod->dir, pods().pod_dir(StateDir::run, pod->uuid));
  auto probe = open_pod_dir(pod->dir);
  ASSERT_TRUE(probe);
  EXPECT_TRUE(is_pod_locked(probe->get()).value());
  pod->lock.reset();
  EXPECT_FALSE(is_pod_locked(probe->get()).value());
}

TEST_F(Prepare, NoOverlayCopiesTheTree) {
  RKT_SKIP_UNLESS_ROOT();
  PodRequest request = request_for({import(app_aci("example.com/app"), "app.aci")});
  request.no_overlay = true;
  auto pod = prepare_pod(pods(), store(), request, PrepareMode::for_prepare);
  ASSERT_TRUE(pod) << pod.error().message;
  EXPECT_FALSE(pod->overlay);
  PodPaths paths(pod->dir);
  fs::path rootfs = paths.app_rootfs("app");
  EXPECT_EQ(read_text(rootfs / "etc/hello"), "hello example.com/app\n");
  EXPECT_EQ(stat_of(rootfs / "bin/suid").st_mode & 07777, 04755u);
  EXPECT_EQ(stat_of(rootfs / "bin/suid").st_ino, stat_of(rootfs / "bin/suid-link").st_ino);
  EXPECT_EQ(fs::read_symlink(rootfs / "bin/link"), "app");
  EXPECT_FALSE(fs::exists(paths.overlay_prepared()));
  EXPECT_FALSE(fs::exists(paths.dir / "overlay"));
}

TEST_F(Prepare, EmptyVolumeGetsModeAndOwner) {
  RKT_SKIP_UNLESS_ROOT();
  PodRequest request = request_for({import(app_aci("example.com/app"), "app.aci")});
  request.volumes.push_back({"data", "empty", "", {}, {}, "0710", 1234, 4321});
  auto pod = prepare_pod(pods(), store(), request, PrepareMode::for_prepare);
  ASSERT_TRUE(pod) << pod.error().message;
  struct stat st = stat_of(PodPaths(pod->dir).shared_volume("data"));
  EXPECT_EQ(st.st_mode & 07777, 0710u);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 4321u);
}

TEST_F(Prepare, InputErrorsCreateNoPod) {
  RKT_SKIP_UNLESS_ROOT();
  auto app = import(app_aci("example.com/app"), "app.aci");
  PodRequest missing_source = request_for({app});
  missing_source.volumes.push_back({"v", "host", "/no/such/dir", {}, {}, "", {}, {}});
  auto pod = prepare_pod(pods(), store(), missing_source, PrepareMode::for_prepare);
  ASSERT_FALSE(pod);
  EXPECT_THAT(pod.error().message, HasSubstr("/no/such/dir"));

  PodRequest duplicate = request_for({app, app});
  pod = prepare_pod(pods(), store(), duplicate, PrepareMode::for_prepare);
  ASSERT_FALSE(pod);
  EXPECT_THAT(pod.error().message, HasSubstr("--name"));

  PodRequest not_a_stage1 = request_for({app});
  not_a_stage1.stage1.image = app;
  pod = prepare_pod(pods(), store(), not_a_stage1, PrepareMode::for_prepare);
  ASSERT_FALSE(pod);
  EXPECT_THAT(pod.error().message, HasSubstr("not a stage1 image"));

  PodRequest no_exec =
      request_for({import(app_aci("example.com/noapp", "\"annotations\":[]"), "n.aci")});
  pod = prepare_pod(pods(), store(), no_exec, PrepareMode::for_prepare);
  ASSERT_FALSE(pod);
  EXPECT_THAT(pod.error().message, HasSubstr("--exec"));

  EXPECT_EQ(pod_count(), 0u);
}

TEST_F(Prepare, PodManifestIsTakenAndCompleted) {
  RKT_SKIP_UNLESS_ROOT();
  auto app = import(app_aci("example.com/app"), "app.aci");
  PodRequest request = request_for({});
  appc::PodManifest manifest;
  appc::RuntimeApp runtime;
  runtime.name = "given";
  runtime.image.id = app.id;
  manifest.apps.push_back(runtime);
  request.pod_manifest = manifest;
  auto pod = prepare_pod(pods(), store(), request, PrepareMode::for_prepare);
  ASSERT_TRUE(pod) << pod.error().message;
  ASSERT_EQ(pod->manifest.apps.size(), 1u);
  ASSERT_TRUE(pod->manifest.apps[0].app);
  EXPECT_EQ(pod->manifest.apps[0].app->exec, std::vector<std::string>{"/bin/app"});
  EXPECT_EQ(pod->manifest.apps[0].image.name, "example.com/app");
  EXPECT_TRUE(fs::exists(PodPaths(pod->dir).app_env("given")));

  request.pod_manifest->apps[0].image.id = "sha512-" + std::string(128, '0');
  auto missing = prepare_pod(pods(), store(), request, PrepareMode::for_prepare);
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("not in the store"));
}

TEST_F(Prepare, FiftyPodsAtOnce) {
  RKT_SKIP_UNLESS_ROOT();
  PodRequest request = request_for({import(app_aci("example.com/app"), "app.aci")});
  constexpr int k_pods = 50;
  std::vector<pid_t> children;
  for (int i = 0; i < k_pods; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto store = store::ImageStore::open(data_dir());
      if (!store) ::_exit(2);
      auto pod = prepare_pod(pods(), *store, request, PrepareMode::for_prepare);
      if (!pod) (void)!::write(2, pod.error().message.data(), pod.error().message.size());
      ::_exit(pod ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  EXPECT_EQ(pods_in(StateDir::prepared).size(), size_t{k_pods});
  EXPECT_EQ(pod_count(), size_t{k_pods});
}

}  // namespace
}  // namespace rkt::pod::test

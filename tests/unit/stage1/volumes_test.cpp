#include "stage1/volumes.hpp"

#include <gtest/gtest.h>

#include "appc/manifest.hpp"

namespace rkt::stage1 {
namespace {

appc::PodManifest pod_with_volumes() {
  appc::PodManifest pod;
  appc::Volume host;
  host.name = "data";
  host.kind = "host";
  host.source = "/srv/data";
  host.read_only = true;
  appc::Volume empty;
  empty.name = "scratch";
  empty.kind = "empty";
  empty.mode = "0700";
  empty.uid = 5;
  empty.gid = 6;
  appc::Volume cache;
  cache.name = "cache";
  cache.kind = "host";
  cache.source = "/var/cache";
  cache.recursive = false;
  pod.volumes = {host, empty, cache};
  return pod;
}

appc::RuntimeApp app_with(std::vector<appc::Mount> mounts, std::vector<appc::MountPoint> points) {
  appc::RuntimeApp app;
  app.name = "web";
  app.app = appc::App{};
  app.app->exec = {"/bin/true"};
  app.app->mount_points = std::move(points);
  app.mounts = std::move(mounts);
  return app;
}

TEST(AppMountsTest, RuntimeMountsThenImageMountPoints) {
  auto pod = pod_with_volumes();
  auto app = app_with(
      {{"scratch", "/tmp/s", std::nullopt}},
      {{"cache", "/cache", false}, {"scratch", "/ignored", false}, {"novolume", "/x", false}});
  auto mounts = app_mounts(pod, app, "/pods/u");
  ASSERT_TRUE(mounts) << mounts.error().message;
  ASSERT_EQ(mounts->size(), 2u);
  const AppMount& scratch = (*mounts)[0];
  EXPECT_EQ(scratch.volume, "scratch");
  EXPECT_EQ(scratch.target, "/tmp/s");
  EXPECT_EQ(scratch.source, "/pods/u/sharedVolumes/scratch");
  EXPECT_EQ(scratch.kind, "empty");
  EXPECT_EQ(scratch.mode, 0700u);
  EXPECT_EQ(scratch.uid, 5u);
  EXPECT_EQ(scratch.gid, 6u);
  EXPECT_FALSE(scratch.read_only);
  const AppMount& cache = (*mounts)[1];
  EXPECT_EQ(cache.target, "/cache");
  EXPECT_EQ(cache.source, "/var/cache");
  EXPECT_FALSE(cache.recursive);
}

TEST(AppMountsTest, ReadOnlyFromVolumeOrMountPoint) {
  auto pod = pod_with_volumes();
  auto app = app_with({{"data", "/data", std::nullopt}, {"cache", "/c", std::nullopt}},
                      {{"cache", "/cache", true}});
  auto mounts = app_mounts(pod, app, "/pods/u");
  ASSERT_TRUE(mounts) << mounts.error().message;
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_TRUE((*mounts)[0].read_only);  // the volume says so
  EXPECT_TRUE((*mounts)[0].recursive);  // host volumes default to recursive
  EXPECT_TRUE((*mounts)[1].read_only);  // the image's mount point says so
}

TEST(AppMountsTest, UnknownVolumeIsAnError) {
  auto pod = pod_with_volumes();
  auto mounts = app_mounts(pod, app_with({{"nope", "/n", std::nullopt}}, {}), "/pods/u");
  ASSERT_FALSE(mounts);
  EXPECT_EQ(mounts.error().message,
            "app \"web\": mount at \"/n\": no volume \"nope\" in the pod manifest");
}

TEST(AppMountsTest, InlineAppVolume) {
  auto pod = pod_with_volumes();
  nlohmann::json inline_volume = {{"name", "v"}, {"kind", "host"}, {"source", "/opt"}};
  auto mounts = app_mounts(pod, app_with({{"v", "/opt", inline_volume}}, {}), "/pods/u");
  ASSERT_TRUE(mounts) << mounts.error().message;
  ASSERT_EQ(mounts->size(), 1u);
  EXPECT_EQ((*mounts)[0].source, "/opt");
}

}  // namespace
}  // namespace rkt::stage1

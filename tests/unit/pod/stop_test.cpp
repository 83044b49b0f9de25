#include "pod/stop.hpp"

#include <gtest/gtest.h>

#include "pod_fixture.hpp"

namespace rkt::pod {
namespace {

using test::k_uuid_a;
using test::LockHolder;
using test::write_text;

class PodStop : public test::PodsFixture {
 protected:
  /// A stage1 whose stop entrypoint logs its cwd and arguments and exits with `status`.
  void add_stage1_stop(const fs::path& pod_dir, int status = 0) {
    PodPaths paths(pod_dir);
    write_text(paths.stage1_manifest(),
               R"({"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/stage1",)"
               R"("annotations":[{"name":"coreos.com/rkt/stage1/stop","value":"/stop"}]})");
    write_text(paths.stage1_rootfs() / "stop", "#!/bin/sh\necho \"$(pwd -P) $*\" > " +
                                                   (tmp() / "stop.log").string() + "\nexit " +
                                                   std::to_string(status) + "\n");
    fs::permissions(paths.stage1_rootfs() / "stop", fs::perms(0755));
  }
};

TEST_F(PodStop, RunsTheStopEntrypoint) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  add_stage1_stop(dir);
  LockHolder stage1(dir);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  ASSERT_TRUE(stop_pod(*pod, StopMode::graceful));
  EXPECT_EQ(test::read_text(tmp() / "stop.log"),
            fs::canonical(dir).string() + " " + k_uuid_a + "\n");
  ASSERT_TRUE(stop_pod(*pod, StopMode::force));
  EXPECT_EQ(test::read_text(tmp() / "stop.log"),
            fs::canonical(dir).string() + " --force " + k_uuid_a + "\n");
}

TEST_F(PodStop, FailingEntrypointIsAnError) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  add_stage1_stop(dir, 1);
  LockHolder stage1(dir);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  EXPECT_FALSE(stop_pod(*pod, StopMode::graceful));
}

TEST_F(PodStop, OnlyRunningPods) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  add_stage1_stop(dir);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  auto stopped = stop_pod(*pod, StopMode::graceful);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().message, "pod \"" + k_uuid_a + "\" is not running");
  EXPECT_FALSE(fs::exists(tmp() / "stop.log"));
}

TEST_F(PodStop, MissingStage1) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  LockHolder stage1(dir);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  auto stopped = stop_pod(*pod, StopMode::graceful);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().kind, ErrorKind::not_found);
}

}  // namespace
}  // namespace rkt::pod

#include "pod/gc.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sstream>
#include <thread>

#include "pod/pod.hpp"
#include "pod_fixture.hpp"

namespace rkt::pod {
namespace {

using test::k_uuid_a;
using test::k_uuid_b;
using test::k_uuid_c;
using test::LockHolder;
using test::write_text;

class PodGc : public test::PodsFixture {
 protected:
  std::string gc(GcOptions options = {}) {
    std::ostringstream out;
    auto result = gc_pods(pods(), options, out);
    EXPECT_TRUE(result) << result.error().message;
    return out.str();
  }
  static GcOptions no_grace() {
    GcOptions options;
    options.grace_period = util::Duration(0);
    return options;
  }
  bool exists_in(StateDir dir, const std::string& uuid) const {
    return fs::exists(pods().pod_dir(dir, uuid));
  }
  /// A stage1 whose gc entrypoint logs its cwd and arguments to gc.log in the temp dir.
  void add_stage1_gc(const fs::path& pod_dir) {
    PodPaths paths(pod_dir);
    write_text(paths.stage1_manifest(),
               R"({"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/stage1",)"
               R"("annotations":[{"name":"coreos.com/rkt/stage1/gc","value":"/gc"},)"
               R"({"name":"coreos.com/rkt/stage1/interface-version","value":"5"}]})");
    write_text(paths.stage1_rootfs() / "gc", "#!/bin/sh\necho \"$(pwd -P) $*\" >> " +
                                                 (tmp() / "gc.log").string() +
                                                 "\necho chatter-not-for-gc-output\n");
    fs::permissions(paths.stage1_rootfs() / "gc", fs::perms(0755));
  }
};

TEST_F(PodGc, SeedOutput) {
  make_pod(StateDir::run, k_uuid_a);
  make_pod(StateDir::run, k_uuid_c);
  make_pod(StateDir::run, k_uuid_b);
  EXPECT_EQ(gc(), "Moving pod \"" + k_uuid_a +
                      "\" to garbage\n"
                      "Moving pod \"" +
                      k_uuid_b +
                      "\" to garbage\n"
                      "Moving pod \"" +
                      k_uuid_c +
                      "\" to garbage\n"
                      "Pod \"" +
                      k_uuid_a +
                      "\" not removed: still within grace period (30m0s)\n"
                      "Pod \"" +
                      k_uuid_b +
                      "\" not removed: still within grace period (30m0s)\n"
                      "Pod \"" +
                      k_uuid_c + "\" not removed: still within grace period (30m0s)\n");
  EXPECT_TRUE(exists_in(StateDir::exited_garbage, k_uuid_a));
  EXPECT_EQ(gc(no_grace()), "Garbage collecting pod \"" + k_uuid_a +
                                "\"\n"
                                "Garbage collecting pod \"" +
                                k_uuid_b +
                                "\"\n"
                                "Garbage collecting pod \"" +
                                k_uuid_c + "\"\n");
  EXPECT_FALSE(exists_in(StateDir::exited_garbage, k_uuid_a));
  EXPECT_TRUE(fs::is_empty(pods().state_dir(StateDir::exited_garbage)));
  EXPECT_EQ(gc(), "");
}

TEST_F(PodGc, GracePeriodIsPrintedAsGoDuration) {
  make_pod(StateDir::exited_garbage, k_uuid_a);
  GcOptions options;
  options.grace_period = std::chrono::hours(2) + std::chrono::seconds(3);
  EXPECT_EQ(gc(options),
            "Pod \"" + k_uuid_a + "\" not removed: still within grace period (2h0m3s)\n");
}

TEST_F(PodGc, LeavesRunningPodsAlone) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  LockHolder stage1(dir);
  EXPECT_EQ(gc(no_grace()), "");
  EXPECT_TRUE(exists_in(StateDir::run, k_uuid_a));
  stage1.kill();
  EXPECT_EQ(gc(no_grace()), "Moving pod \"" + k_uuid_a +
                                "\" to garbage\n"
                                "Garbage collecting pod \"" +
                                k_uuid_a + "\"\n");
  EXPECT_FALSE(exists_in(StateDir::exited_garbage, k_uuid_a));
}

TEST_F(PodGc, MarkOnlyStopsAfterMarking) {
  make_pod(StateDir::run, k_uuid_a);
  make_pod(StateDir::prepare, k_uuid_b);  // unlocked: an aborted prepare
  make_pod(StateDir::garbage, k_uuid_c);
  GcOptions options = no_grace();
  options.mode = GcMode::mark_only;
  EXPECT_EQ(gc(options), "Moving pod \"" + k_uuid_a +
                             "\" to garbage\n"
                             "Moving failed prepare \"" +
                             k_uuid_b + "\" to garbage\n");
  EXPECT_TRUE(exists_in(StateDir::exited_garbage, k_uuid_a));
  EXPECT_TRUE(exists_in(StateDir::garbage, k_uuid_b));
  EXPECT_TRUE(exists_in(StateDir::garbage, k_uuid_c));
}

TEST_F(PodGc, AbortedPreparesAreCollectedButPreparingOnesAreNot) {
  make_pod(StateDir::prepare, k_uuid_a);
  auto preparing = make_pod(StateDir::prepare, k_uuid_b);
  LockHolder stage0(preparing);
  EXPECT_EQ(gc(), "Moving failed prepare \"" + k_uuid_a +
                      "\" to garbage\n"
                      "Garbage collecting pod \"" +
                      k_uuid_a + "\"\n");
  EXPECT_FALSE(exists_in(StateDir::garbage, k_uuid_a));
  EXPECT_TRUE(exists_in(StateDir::prepare, k_uuid_b));
}

TEST_F(PodGc, ExpiresPreparedPods) {
  make_pod(StateDir::prepared, k_uuid_a);
  EXPECT_EQ(gc(), "");  // younger than 24h
  GcOptions options;
  options.expire_prepared = util::Duration(0);
  EXPECT_EQ(gc(options), "Moving expired prepared pod \"" + k_uuid_a +
                             "\" to garbage\n"
                             "Garbage collecting pod \"" +
                             k_uuid_a + "\"\n");
  EXPECT_FALSE(exists_in(StateDir::garbage, k_uuid_a));
}

TEST_F(PodGc, SkipsPodsBeingDeletedElsewhere) {
  auto dir = make_pod(StateDir::garbage, k_uuid_a);
  LockHolder other_gc(dir);
  EXPECT_EQ(gc(), "");
  EXPECT_TRUE(exists_in(StateDir::garbage, k_uuid_a));
}

TEST_F(PodGc, RunsTheStage1GcEntrypointOfPodsThatRan) {
  auto ran = make_pod(StateDir::exited_garbage, k_uuid_a);
  add_stage1_gc(ran);
  auto never_ran = make_pod(StateDir::garbage, k_uuid_b);
  add_stage1_gc(never_ran);
  GcOptions options = no_grace();
  options.delete_options.local_config = "/etc/rkt-test";
  EXPECT_EQ(gc(options), "Garbage collecting pod \"" + k_uuid_a +
                             "\"\n"
                             "Garbage collecting pod \"" +
                             k_uuid_b + "\"\n");
  EXPECT_EQ(test::read_text(tmp() / "gc.log"),
            fs::canonical(tmp()).string() + "/data/pods/exited-garbage/" + k_uuid_a +
                " --local-config=/etc/rkt-test " + k_uuid_a + "\n");
  EXPECT_FALSE(exists_in(StateDir::exited_garbage, k_uuid_a));
  EXPECT_FALSE(exists_in(StateDir::garbage, k_uuid_b));
}

TEST_F(PodGc, AFailingStage1GcDoesNotKeepThePod) {
  auto dir = make_pod(StateDir::exited_garbage, k_uuid_a);
  add_stage1_gc(dir);
  write_text(PodPaths(dir).stage1_rootfs() / "gc", "#!/bin/sh\nexit 3\n");
  EXPECT_EQ(gc(no_grace()), "Garbage collecting pod \"" + k_uuid_a + "\"\n");
  EXPECT_FALSE(exists_in(StateDir::exited_garbage, k_uuid_a));
}

TEST_F(PodGc, RemovesDeepTreesWithAwkwardModes) {
  auto dir = make_pod(StateDir::garbage, k_uuid_a);
  PodPaths paths(dir);
  auto deep = paths.app_rootfs("app") / "a" / "b" / "c";
  fs::create_directories(deep);
  write_text(deep / "file", "x");
  fs::create_symlink("/etc", paths.app_rootfs("app") / "etc-link");  // never followed
  fs::create_directories(paths.overlay_work("app") / "work");
  ::chmod((paths.overlay_work("app") / "work").c_str(), 0);  // as overlayfs leaves it
  EXPECT_EQ(gc(), "Garbage collecting pod \"" + k_uuid_a + "\"\n");
  EXPECT_FALSE(exists_in(StateDir::garbage, k_uuid_a));
  EXPECT_TRUE(fs::exists("/etc/hostname") || fs::exists("/etc/passwd"));
}

TEST_F(PodGc, ConcurrentGcsDeleteEachPodOnce) {
  std::vector<std::string> uuids;
  for (int i = 0; i < 30; ++i) {
    uuids.push_back(fmt::format("{:08x}-0000-4000-8000-000000000000", i));
    auto dir = make_pod(StateDir::run, uuids.back());
    fs::create_directories(PodPaths(dir).app_rootfs("app") / "usr" / "bin");
  }
  std::vector<std::ostringstream> outs(4);
  std::vector<std::thread> threads;
  for (auto& out : outs) {
    threads.emplace_back([&] { EXPECT_TRUE(gc_pods(pods(), no_grace(), out)); });
  }
  for (auto& thread : threads) thread.join();
  size_t collected = 0;
  for (const auto& out : outs) {
    std::string text = out.str();
    for (size_t pos = 0; (pos = text.find("Garbage collecting", pos)) != std::string::npos; ++pos) {
      ++collected;
    }
  }
  EXPECT_EQ(collected, uuids.size());
  for (StateDir dir : k_state_dirs) {
    auto path = pods().state_dir(dir);
    EXPECT_TRUE(!fs::exists(path) || fs::is_empty(path)) << path;
  }
}

}  // namespace
}  // namespace rkt::pod

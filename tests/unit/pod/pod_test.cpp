#include "pod/pod.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <thread>

#include "pod/pod_list.hpp"
#include "pod_fixture.hpp"

namespace rkt::pod {
namespace {

using test::k_uuid_a;
using test::k_uuid_b;
using test::k_uuid_c;
using test::LockHolder;
using test::write_text;

class PodLoad : public test::PodsFixture {};

struct DerivationCase {
  StateDir dir;
  bool locked;
  PodState expected;
};

TEST_F(PodLoad, DerivesStateFromDirectoryAndLock) {
  const DerivationCase cases[] = {
      {StateDir::embryo, false, PodState::embryo},
      {StateDir::embryo, true, PodState::embryo},
      {StateDir::prepare, true, PodState::preparing},
      {StateDir::prepare, false, PodState::aborted_prepare},
      {StateDir::prepared, false, PodState::prepared},
      {StateDir::prepared, true, PodState::prepared},
      {StateDir::run, true, PodState::running},
      {StateDir::run, false, PodState::exited},
      {StateDir::exited_garbage, false, PodState::exited_garbage},
      {StateDir::exited_garbage, true, PodState::exited_deleting},
      {StateDir::garbage, false, PodState::garbage},
      {StateDir::garbage, true, PodState::deleting},
  };
  for (const auto& c : cases) {
    auto dir = make_pod(c.dir, k_uuid_a);
    std::optional<LockHolder> holder;
    if (c.locked) holder.emplace(dir);
    auto pod = Pod::load(pods(), k_uuid_a);
    ASSERT_TRUE(pod) << pod.error().message;
    EXPECT_EQ(pod->state(), c.expected)
        << state_dir_name(c.dir) << (c.locked ? " locked" : " unlocked") << ": got "
        << state_name(pod->state());
    EXPECT_EQ(pod->state_dir(), c.dir);
    EXPECT_EQ(pod->dir(), dir);
    holder.reset();
    fs::remove_all(dir);
  }
}

TEST_F(PodLoad, KilledHolderMeansExited) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  LockHolder stage1(dir);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->state(), PodState::running);
  stage1.kill();  // SIGKILL of the pod's PID 1 (or of rkt, which became it)
  ASSERT_TRUE(pod->refresh());
  EXPECT_EQ(pod->state(), PodState::exited);
}

TEST_F(PodLoad, LookupOrderPrefersEarlierStates) {
  // Mid-rename a pod could be seen twice; rkt's order takes the earlier state directory.
  make_pod(StateDir::run, k_uuid_a);
  make_pod(StateDir::exited_garbage, k_uuid_a);
  EXPECT_EQ(Pod::load(pods(), k_uuid_a)->state_dir(), StateDir::run);
}

TEST_F(PodLoad, MissingPodIsNotFound) {
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_FALSE(pod);
  EXPECT_EQ(pod.error().kind, ErrorKind::not_found);
  EXPECT_FALSE(Pod::load(pods(), "not-a-uuid"));
}

TEST_F(PodLoad, FindResolvesPrefix) {
  make_pod(StateDir::run, k_uuid_a);
  auto pod = Pod::find(pods(), "1111");
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->uuid(), k_uuid_a);
}

TEST_F(PodLoad, ReadsStayValidAfterARename) {
  auto dir = make_pod(StateDir::run, k_uuid_a, {"web"});
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  fs::create_directories(pods().state_dir(StateDir::exited_garbage));
  fs::rename(dir, pods().pod_dir(StateDir::exited_garbage, k_uuid_a));
  EXPECT_EQ(pod->app_names().value(), std::vector<std::string>{"web"});
}

class PodFiles : public test::PodsFixture {};

TEST_F(PodFiles, ManifestIsParsedAndEmbryoHasNone) {
  make_pod(StateDir::run, k_uuid_a, {"web", "db"});
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->app_names().value(), (std::vector<std::string>{"web", "db"}));
  EXPECT_EQ(pod->manifest()->apps[1].image.name, "example.com/db");
  EXPECT_NE(pod->manifest_json()->find("PodManifest"), std::string::npos);

  make_pod(StateDir::embryo, k_uuid_b, {});
  auto embryo = Pod::load(pods(), k_uuid_b);
  ASSERT_TRUE(embryo);
  EXPECT_FALSE(embryo->manifest());
  EXPECT_FALSE(embryo->created_time());
  EXPECT_FALSE(embryo->start_time());
}

TEST_F(PodFiles, Times) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  PodPaths paths(dir);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  auto manifest_time = pod->created_time();
  ASSERT_TRUE(manifest_time);  // from `pod` when there is no `pod-created`
  EXPECT_FALSE(pod->start_time());
  EXPECT_FALSE(pod->gc_marked_time());

  write_text(paths.created_marker(), "");
  struct timeval old_times[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(::utimes(paths.created_marker().c_str(), old_times), 0);
  EXPECT_EQ(pod->created_time(), util::Clock::from_time_t(1000000000));

  write_text(paths.ppid(), "1");
  EXPECT_TRUE(pod->start_time());
}

TEST_F(PodFiles, GcMarkedTimeIsTheDirectoryCtime) {
  make_pod(StateDir::exited_garbage, k_uuid_a);
  auto before = util::Clock::now() - std::chrono::seconds(5);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  auto marked = pod->gc_marked_time();
  ASSERT_TRUE(marked);
  EXPECT_GT(*marked, before);
}

TEST_F(PodFiles, PidFromPidFile) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  auto none = pod->pid();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::not_found);
  write_text(PodPaths(dir).pid(), "4242\n");
  EXPECT_EQ(pod->pid().value(), 4242);
  write_text(PodPaths(dir).pid(), "junk");
  EXPECT_FALSE(pod->pid());
}

TEST_F(PodFiles, PidFromPpidIsItsSingleChild) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  // This thread is the child's parent: /proc/<pid>/task/<pid>/children lists the main thread's
  // children, so only run the check when the test runs on the main thread (it does in gtest).
  write_text(PodPaths(dir).ppid(), std::to_string(::getpid()));
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  auto pid = pod->pid();
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  if (!fs::exists("/proc/self/task/" + std::to_string(::getpid()) + "/children")) {
    GTEST_SKIP() << "kernel without /proc/<pid>/task/<tid>/children";
  }
  ASSERT_TRUE(pid) << pid.error().message;
  EXPECT_EQ(*pid, child);
}

TEST_F(PodFiles, AppExitStatusesAndReadiness) {
  auto dir = make_pod(StateDir::run, k_uuid_a, {"web", "db"});
  PodPaths paths(dir);
  write_text(paths.app_status("web"), "0");
  write_text(paths.app_status("db"), "137");
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->app_exit_status("web"), 0);
  EXPECT_EQ(pod->app_exit_status("db"), 137);
  EXPECT_EQ(pod->app_exit_status("other"), std::nullopt);

  EXPECT_FALSE(pod->is_supervisor_ready());
  fs::create_symlink("ready", paths.supervisor_status());
  EXPECT_TRUE(pod->is_supervisor_ready());
}

TEST_F(PodFiles, AppImage) {
  auto dir = make_pod(StateDir::run, k_uuid_a, {"web"});
  PodPaths paths(dir);
  write_text(paths.app_image_manifest("web"),
             R"({"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/web",)"
             R"("labels":[{"name":"version","value":"1.0"}]})");
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  EXPECT_FALSE(pod->uses_overlay());
  auto image = pod->app_image("web");
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(image->manifest.name, "example.com/web");
  EXPECT_EQ(image->tree_store_id, "");  // --no-overlay pods have none

  write_text(paths.overlay_prepared(), "");
  EXPECT_TRUE(pod->uses_overlay());
  EXPECT_FALSE(pod->app_image("web"));  // an overlay pod needs its tree
  write_text(paths.app_tree_id("web"), "deps-sha512-abc\n");
  EXPECT_EQ(pod->app_image("web")->tree_store_id, "deps-sha512-abc");
}

class PodList : public test::PodsFixture {};

TEST_F(PodList, ListsEveryStateSortedOnce) {
  make_pod(StateDir::garbage, k_uuid_c);
  make_pod(StateDir::run, k_uuid_b);
  make_pod(StateDir::prepared, k_uuid_a);
  make_pod(StateDir::exited_garbage, k_uuid_a);  // mid-rename: listed once
  auto all = list_pods(pods());
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].uuid(), k_uuid_a);
  EXPECT_EQ((*all)[0].state(), PodState::prepared);
  EXPECT_EQ((*all)[1].uuid(), k_uuid_b);
  EXPECT_EQ((*all)[1].state(), PodState::exited);
  EXPECT_EQ((*all)[2].state(), PodState::garbage);
}

TEST_F(PodList, ListsInOneStateDir) {
  make_pod(StateDir::run, k_uuid_a);
  make_pod(StateDir::prepared, k_uuid_b);
  auto run = list_pods_in(pods(), StateDir::run);
  ASSERT_TRUE(run);
  ASSERT_EQ(run->size(), 1u);
  EXPECT_EQ(run->front().uuid(), k_uuid_a);
}

TEST_F(PodList, EmptyDataDir) {
  auto all = list_pods(pods());
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
}

}  // namespace
}  // namespace rkt::pod

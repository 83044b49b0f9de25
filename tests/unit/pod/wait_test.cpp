#include "pod/wait.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "pod/pod_transition.hpp"
#include "pod_fixture.hpp"

namespace rkt::pod {
namespace {

using test::k_uuid_a;
using test::LockHolder;
using test::write_text;

class PodWait : public test::PodsFixture {};

TEST_F(PodWait, ReturnsWhenThePodExits) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  LockHolder stage1(dir);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stage1.kill();
  });
  auto waited = wait_for_exit(*pod, std::nullopt);
  killer.join();
  ASSERT_TRUE(waited) << waited.error().message;
  EXPECT_EQ(pod->state(), PodState::exited);
}

TEST_F(PodWait, TimesOut) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  LockHolder stage1(dir);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  auto start = std::chrono::steady_clock::now();
  auto waited = wait_for_exit(*pod, std::chrono::milliseconds(200));
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().kind, ErrorKind::interrupted);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

TEST_F(PodWait, WaitsForAPreparedPodToRunAndExit) {
  make_pod(StateDir::prepared, k_uuid_a);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  std::thread runner([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(move_pod_dir(pods(), k_uuid_a, PodState::prepared, PodState::running));
  });
  auto waited = wait_for_exit(*pod, std::chrono::seconds(5));
  runner.join();
  ASSERT_TRUE(waited) << waited.error().message;
  EXPECT_EQ(pod->state(), PodState::exited);
}

TEST_F(PodWait, PodsThatWillNeverRun) {
  make_pod(StateDir::garbage, k_uuid_a);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  auto waited = wait_for_exit(*pod, std::nullopt);
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().kind, ErrorKind::conflict);
}

TEST_F(PodWait, Ready) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  LockHolder stage1(dir);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  EXPECT_FALSE(wait_ready(*pod, std::chrono::milliseconds(100)));
  std::thread supervisor([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    fs::create_directories(PodPaths(dir).supervisor_status().parent_path());
    fs::create_symlink("ready", PodPaths(dir).supervisor_status());
  });
  auto ready = wait_ready(*pod, std::chrono::seconds(5));
  supervisor.join();
  EXPECT_TRUE(ready) << ready.error().message;
}

TEST_F(PodWait, ExitBeforeReadyIsAnError) {
  make_pod(StateDir::run, k_uuid_a);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  auto ready = wait_ready(*pod, std::nullopt);
  ASSERT_FALSE(ready);
  EXPECT_NE(ready.error().message.find("exited before"), std::string::npos);
}

TEST_F(PodWait, PidOnceWritten) {
  auto dir = make_pod(StateDir::run, k_uuid_a);
  LockHolder stage1(dir);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    write_text(PodPaths(dir).pid(), std::to_string(stage1.pid()));
  });
  auto pid = wait_for_pid(*pod, std::chrono::seconds(5));
  writer.join();
  ASSERT_TRUE(pid) << pid.error().message;
  EXPECT_EQ(*pid, stage1.pid());
  stage1.kill();
  std::filesystem::remove(PodPaths(dir).pid());
  EXPECT_FALSE(wait_for_pid(*pod, std::nullopt));  // exited: no waiting forever
}

}  // namespace
}  // namespace rkt::pod

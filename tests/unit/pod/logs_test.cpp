#include "pod/logs.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "pod_fixture.hpp"

namespace rkt::pod {
namespace {

using test::k_uuid_a;
using test::LockHolder;
using test::write_text;

class PodLogs : public test::PodsFixture {
 protected:
  std::string logs(LogsOptions options = {}) {
    auto pod = Pod::load(pods(), k_uuid_a);
    EXPECT_TRUE(pod);
    std::ostringstream out;
    auto result = read_logs(*pod, options, out);
    EXPECT_TRUE(result) << result.error().message;
    return out.str();
  }
};

TEST_F(PodLogs, PrintsRotatedFileFirst) {
  PodPaths paths(make_pod(StateDir::run, k_uuid_a, {"web"}));
  write_text(paths.app_log("web").string() + ".1", "one\ntwo\n");
  write_text(paths.app_log("web"), "three\nfour\n");
  EXPECT_EQ(logs(), "one\ntwo\nthree\nfour\n");
}

TEST_F(PodLogs, LastLinesSpanTheRotation) {
  PodPaths paths(make_pod(StateDir::run, k_uuid_a, {"web"}));
  write_text(paths.app_log("web").string() + ".1", "one\ntwo\n");
  write_text(paths.app_log("web"), "three\nfour\n");
  EXPECT_EQ(logs({std::nullopt, 1, Follow::no}), "four\n");
  EXPECT_EQ(logs({std::nullopt, 3, Follow::no}), "two\nthree\nfour\n");
  EXPECT_EQ(logs({std::nullopt, 10, Follow::no}), "one\ntwo\nthree\nfour\n");
}

TEST_F(PodLogs, UnfinishedLastLineGetsANewline) {
  PodPaths paths(make_pod(StateDir::run, k_uuid_a, {"web"}));
  write_text(paths.app_log("web"), "a\nb");
  EXPECT_EQ(logs(), "a\nb\n");
  EXPECT_EQ(logs({std::nullopt, 1, Follow::no}), "b\n");
}

TEST_F(PodLogs, SeveralAppsArePrefixed) {
  PodPaths paths(make_pod(StateDir::run, k_uuid_a, {"web", "db"}));
  write_text(paths.app_log("web"), "w1\nw2\n");
  write_text(paths.app_log("db"), "d1\n");
  EXPECT_EQ(logs(), "web: w1\nweb: w2\ndb: d1\n");
  EXPECT_EQ(logs({"db", 0, Follow::no}), "d1\n");
}

TEST_F(PodLogs, UnknownAppAndNoLogs) {
  make_pod(StateDir::run, k_uuid_a, {"web"});
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  std::ostringstream out;
  auto unknown = read_logs(*pod, {"nope", 0, Follow::no}, out);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  auto none = read_logs(*pod, {}, out);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no logs"), std::string::npos);
}

TEST_F(PodLogs, FollowEndsWhenThePodExits) {
  auto dir = make_pod(StateDir::run, k_uuid_a, {"web"});
  PodPaths paths(dir);
  write_text(paths.app_log("web"), "before\n");
  LockHolder stage1(dir);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    {
      std::ofstream log(paths.app_log("web"), std::ios::app);
      log << "during\n" << std::flush;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    // Rotation as stage1 does it: rename to .1, start a new file.
    fs::rename(paths.app_log("web"), paths.app_log("web").string() + ".1");
    write_text(paths.app_log("web"), "rotated\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    {
      std::ofstream log(paths.app_log("web"), std::ios::app);
      log << "last\n" << std::flush;
    }
    stage1.kill();
  });
  std::string out = logs({std::nullopt, 0, Follow::yes});
  writer.join();
  EXPECT_EQ(out, "before\nduring\nrotated\nlast\n");
}

TEST_F(PodLogs, FollowOfAnExitedPodJustPrints) {
  PodPaths paths(make_pod(StateDir::run, k_uuid_a, {"web"}));
  write_text(paths.app_log("web"), "done\n");
  EXPECT_EQ(logs({std::nullopt, 0, Follow::yes}), "done\n");
}

}  // namespace
}  // namespace rkt::pod

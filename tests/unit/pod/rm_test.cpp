#include "pod/rm.hpp"

#include <gtest/gtest.h>

#include "pod_fixture.hpp"

namespace rkt::pod {
namespace {

using test::k_uuid_a;
using test::LockHolder;

class PodRm : public test::PodsFixture {};

TEST_F(PodRm, RemovesPodsThatAreNotActive) {
  for (StateDir dir : {StateDir::run, StateDir::prepare, StateDir::prepared,
                       StateDir::exited_garbage, StateDir::garbage}) {
    auto path = make_pod(dir, k_uuid_a);
    fs::create_directories(PodPaths(path).app_rootfs("app") / "bin");
    auto removed = remove_pod(pods(), k_uuid_a);
    EXPECT_TRUE(removed) << state_dir_name(dir) << ": " << removed.error().message;
    for (StateDir any : k_state_dirs) {
      EXPECT_FALSE(fs::exists(pods().pod_dir(any, k_uuid_a))) << state_dir_name(dir);
    }
  }
}

TEST_F(PodRm, RefusesActivePodsNamingTheState) {
  struct Case {
    StateDir dir;
    bool locked;
    std::string state;
  };
  for (const auto& c :
       {Case{StateDir::run, true, "running"}, Case{StateDir::embryo, false, "embryo"},
        Case{StateDir::prepare, true, "preparing"}, Case{StateDir::garbage, true, "deleting"},
        Case{StateDir::exited_garbage, true, "exited deleting"}}) {
    auto path = make_pod(c.dir, k_uuid_a);
    std::optional<LockHolder> holder;
    if (c.locked) holder.emplace(path);
    auto removed = remove_pod(pods(), k_uuid_a);
    ASSERT_FALSE(removed) << c.state;
    EXPECT_EQ(removed.error().kind, ErrorKind::conflict);
    EXPECT_NE(removed.error().message.find("(state \"" + c.state + "\")"), std::string::npos)
        << removed.error().message;
    EXPECT_TRUE(fs::exists(path)) << c.state;
    holder.reset();
    fs::remove_all(path);
  }
}

TEST_F(PodRm, RunningPodMessage) {
  auto path = make_pod(StateDir::run, k_uuid_a);
  LockHolder stage1(path);
  auto removed = remove_pod(pods(), k_uuid_a);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().message, "cannot remove pod \"" + k_uuid_a +
                                         "\": it is running; stop it first (state \"running\")");
}

TEST_F(PodRm, UnknownPod) {
  auto removed = remove_pod(pods(), k_uuid_a);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().kind, ErrorKind::not_found);
}

}  // namespace
}  // namespace rkt::pod

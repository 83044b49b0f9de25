#include "pod/pod_transition.hpp"

#include <gtest/gtest.h>

#include "pod_fixture.hpp"

namespace rkt::pod {
namespace {

using test::k_uuid_a;

class PodTransition : public test::PodsFixture {};

TEST_F(PodTransition, MovesBetweenStateDirs) {
  make_pod(StateDir::run, k_uuid_a);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  ASSERT_TRUE(move_pod(*pod, PodState::exited_garbage));
  EXPECT_EQ(pod->state(), PodState::exited_garbage);
  EXPECT_TRUE(fs::is_directory(pods().pod_dir(StateDir::exited_garbage, k_uuid_a)));
  EXPECT_FALSE(fs::exists(pods().pod_dir(StateDir::run, k_uuid_a)));
  EXPECT_EQ(pod->app_names().value(), std::vector<std::string>{"app"});
}

TEST_F(PodTransition, RefusesIllegalTransitions) {
  make_pod(StateDir::prepared, k_uuid_a);
  auto moved = move_pod_dir(pods(), k_uuid_a, PodState::prepared, PodState::exited_garbage);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().kind, ErrorKind::invalid_argument);
  EXPECT_TRUE(fs::exists(pods().pod_dir(StateDir::prepared, k_uuid_a)));
  // A legal transition that does not change directory is a lock change, not a move.
  EXPECT_FALSE(move_pod_dir(pods(), k_uuid_a, PodState::running, PodState::exited));
}

TEST_F(PodTransition, LostRaceIsRecognisable) {
  make_pod(StateDir::run, k_uuid_a);
  auto pod = Pod::load(pods(), k_uuid_a);
  ASSERT_TRUE(pod);
  ASSERT_TRUE(move_pod_dir(pods(), k_uuid_a, PodState::exited, PodState::exited_garbage));
  auto second = move_pod_dir(pods(), k_uuid_a, PodState::exited, PodState::exited_garbage);
  ASSERT_FALSE(second);
  EXPECT_TRUE(lost_race(second));
}

TEST_F(PodTransition, NeverOverwritesATarget) {
  make_pod(StateDir::run, k_uuid_a);
  make_pod(StateDir::exited_garbage, k_uuid_a, {"other"});
  auto moved = move_pod_dir(pods(), k_uuid_a, PodState::exited, PodState::exited_garbage);
  ASSERT_FALSE(moved);
  EXPECT_FALSE(lost_race(moved));
  EXPECT_TRUE(fs::exists(pods().pod_dir(StateDir::run, k_uuid_a)));
}

TEST(PodStateExtras, StateDirOfEveryState) {
  EXPECT_EQ(state_dir_of(PodState::preparing), StateDir::prepare);
  EXPECT_EQ(state_dir_of(PodState::aborted_prepare), StateDir::prepare);
  EXPECT_EQ(state_dir_of(PodState::running), StateDir::run);
  EXPECT_EQ(state_dir_of(PodState::exited), StateDir::run);
  EXPECT_EQ(state_dir_of(PodState::exited_deleting), StateDir::exited_garbage);
  EXPECT_EQ(state_dir_of(PodState::deleting), StateDir::garbage);
  for (StateDir dir : k_state_dirs) {
    EXPECT_EQ(state_dir_of(derive_state(dir, false)), dir);
    EXPECT_EQ(state_dir_of(derive_state(dir, true)), dir);
  }
  EXPECT_TRUE(is_after_run(PodState::exited_garbage));
  EXPECT_FALSE(is_after_run(PodState::running));
  EXPECT_FALSE(is_after_run(PodState::garbage));
}

}  // namespace
}  // namespace rkt::pod

#include "stage1/pod_outcome.hpp"

#include <gtest/gtest.h>

namespace rkt::stage1 {
namespace {

TEST(PodOutcomeTest, FirstAppsStatusWhenAllSucceedOrExitNormally) {
  PodOutcome outcome(2);
  EXPECT_FALSE(outcome.record_exit(1, 0));
  EXPECT_FALSE(outcome.all_exited());
  EXPECT_FALSE(outcome.record_exit(0, 0));
  EXPECT_TRUE(outcome.all_exited());
  EXPECT_EQ(outcome.exit_status(254), 0);
}

TEST(PodOutcomeTest, AFailingAppStopsThePodWhichExitsWithTheFirstAppsStatus) {
  PodOutcome outcome(3);
  EXPECT_TRUE(outcome.record_exit(1, 3));
  EXPECT_TRUE(outcome.stopping());
  EXPECT_FALSE(outcome.record_exit(0, 143));  // stopped by us: no second stop
  EXPECT_FALSE(outcome.record_exit(2, 137));
  EXPECT_EQ(outcome.exit_status(254), 143);
}

TEST(PodOutcomeTest, TheFirstAppFailingGivesItsStatus) {
  PodOutcome outcome(2);
  EXPECT_TRUE(outcome.record_exit(0, 3));
  EXPECT_FALSE(outcome.record_exit(1, 143));
  EXPECT_EQ(outcome.exit_status(254), 3);
}

TEST(PodOutcomeTest, AStopRequestKeepsTheFirstAppsStatus) {
  PodOutcome outcome(2);
  outcome.record_stop_request();
  EXPECT_FALSE(outcome.record_exit(1, 143));
  EXPECT_FALSE(outcome.record_exit(0, 130));
  EXPECT_EQ(outcome.exit_status(254), 130);
}

TEST(PodOutcomeTest, NeverRanCountsAsFailure) {
  PodOutcome outcome(1);
  EXPECT_EQ(outcome.exit_status(254), 254);
}

}  // namespace
}  // namespace rkt::stage1

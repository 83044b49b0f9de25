#include "stage1/capabilities.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "appc/isolator.hpp"

namespace rkt::stage1 {
namespace {

using ::testing::ElementsAre;

std::vector<appc::Isolator> caps_isolator(appc::SetMode mode, std::vector<std::string> set) {
  auto isolator = appc::make_capability_isolator(mode, set);
  EXPECT_TRUE(isolator);
  return {*isolator};
}

TEST(CapabilitiesTest, DefaultIsAppcsFourteen) {
  auto plan = plan_capabilities({}, CapsRestriction::enforced);
  ASSERT_TRUE(plan);
  EXPECT_THAT(
      capability_names(plan->retained),
      ElementsAre("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                  "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",
                  "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP"));
}

TEST(CapabilitiesTest, RetainSetIsExactlyTheNamedOnes) {
  auto plan =
      plan_capabilities(caps_isolator(appc::SetMode::retain, {"CAP_NET_ADMIN", "CAP_CHOWN"}),
                        CapsRestriction::enforced);
  ASSERT_TRUE(plan);
  EXPECT_THAT(capability_names(plan->retained), ElementsAre("CAP_CHOWN", "CAP_NET_ADMIN"));
}

TEST(CapabilitiesTest, RemoveSetIsTheDefaultsMinusTheNamedOnes) {
  auto plan = plan_capabilities(
      caps_isolator(appc::SetMode::remove, {"CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_MKNOD"}),
      CapsRestriction::enforced);
  ASSERT_TRUE(plan);
  auto names = capability_names(plan->retained);
  EXPECT_EQ(names.size(), 12u);
  EXPECT_EQ(std::count(names.begin(), names.end(), "CAP_CHOWN"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "CAP_MKNOD"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "CAP_SYS_ADMIN"), 0);
}

TEST(CapabilitiesTest, EmptySetIsRefused) {
  std::vector<appc::Isolator> isolators = {
      {std::string(appc::k_isolator_caps_retain), {{"set", nlohmann::json::array()}}}};
  auto plan = plan_capabilities(isolators, CapsRestriction::enforced);
  ASSERT_FALSE(plan);  // appc: a set must not be empty
  EXPECT_THAT(plan.error().message, ::testing::HasSubstr("must not be empty"));
}

TEST(CapabilitiesTest, DisabledRestrictionKeepsEverything) {
  auto plan = plan_capabilities(caps_isolator(appc::SetMode::retain, {"CAP_CHOWN"}),
                                CapsRestriction::disabled);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->restriction, CapsRestriction::disabled);
  EXPECT_EQ(plan->retained, ~uint64_t{0});
}

TEST(CapabilitiesTest, PrepareCutsToTheBoundingSet) {
  auto plan = plan_capabilities({}, CapsRestriction::enforced);
  ASSERT_TRUE(plan);
  auto prepared = PreparedCapabilities::prepare(*plan);
  ASSERT_TRUE(prepared) << prepared.error().message;
  EXPECT_EQ(prepared->plan().retained & ~plan->retained, 0u);
}

}  // namespace
}  // namespace rkt::stage1

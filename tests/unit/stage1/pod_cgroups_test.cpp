#include "stage1/pod_cgroups.hpp"

#include <gtest/gtest.h>

#include "appc/isolator.hpp"

namespace rkt::stage1 {
namespace {

TEST(PodCgroupsTest, NamesAreRkts) {
  EXPECT_EQ(pod_scope_name("1b2c-3d"), "machine-rkt\\x2d1b2c\\x2d3d.scope");
  EXPECT_EQ(app_service_name("web"), "web.service");
  EXPECT_EQ(app_service_name("a/b"), "a\\x2fb.service");
}

TEST(PodCgroupsTest, PodDirIsUnderMachineSliceOrTheCallersCgroup) {
  sys::CgroupHierarchy root;
  root.mount_point = "/sys/fs/cgroup/memory";
  EXPECT_EQ(pod_cgroup_dir(root, "u-1"),
            "/sys/fs/cgroup/memory/machine.slice/machine-rkt\\x2du\\x2d1.scope");
  sys::CgroupHierarchy service = root;
  service.own_path = "/system.slice/rkt.service";
  EXPECT_EQ(pod_cgroup_dir(service, "u"),
            "/sys/fs/cgroup/memory/system.slice/rkt.service/machine-rkt\\x2du.scope");
}

TEST(PodCgroupsTest, CpuWeightOfShares) {
  EXPECT_EQ(cpu_weight_of_shares(2), 1);
  EXPECT_EQ(cpu_weight_of_shares(1024), 39);
  EXPECT_EQ(cpu_weight_of_shares(262144), 10000);
}

TEST(PodCgroupsTest, ResourcesFromIsolators) {
  appc::RuntimeApp app;
  app.name = "web";
  app.app.emplace();
  app.app->isolators.push_back(*appc::make_memory_isolator("", "64M"));
  app.app->isolators.push_back(*appc::make_cpu_isolator("", "500m"));
  app.app->isolators.push_back(*appc::make_cpu_shares_isolator(512));
  app.app->isolators.push_back(*appc::make_oom_score_adj_isolator(-100));
  auto r = app_resources(app);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->memory_limit_bytes, 64'000'000);
  EXPECT_EQ(r->cpu_limit_milli, 500);
  EXPECT_EQ(r->cpu_shares, 512);
  EXPECT_EQ(r->oom_score_adj, -100);
}

TEST(PodCgroupsTest, ALimitNoControllerCanEnforceIsAnError) {
  appc::RuntimeApp app;
  app.name = "web";
  app.app.emplace();
  app.app->isolators.push_back(*appc::make_memory_isolator("", "64M"));
  sys::CgroupLayout none;
  auto created = PodCgroups::create(none, "u", {app});
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().message.find("resource/memory cannot be enforced"), std::string::npos)
      << created.error().message;
}

TEST(PodCgroupsTest, DeviceRulesDenyLoopControl) {
  for (const auto& rule : app_device_rules()) {
    EXPECT_EQ(rule.find("10:237"), std::string::npos) << rule;
    EXPECT_NE(rule.substr(0, 2), "a ") << "no wildcard allow";
  }
}

}  // namespace
}  // namespace rkt::stage1

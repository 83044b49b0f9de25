#include "appc/isolator.hpp"

#include <gtest/gtest.h>

#include "appc/capabilities.hpp"

namespace rkt::appc {
namespace {

using nlohmann::json;

Isolator iso(std::string_view name, json value) {
  return Isolator{std::string(name), std::move(value)};
}

std::string error_of(const Result<void>& result) {
  return result.has_value() ? std::string("(ok)") : result.error().message;
}

TEST(Isolator, CpuAndMemoryViews) {
  auto cpu = cpu_resource(iso(k_isolator_cpu, {{"request", "250m"}, {"limit", "1.5"}}));
  ASSERT_TRUE(cpu.has_value()) << cpu.error().message;
  EXPECT_EQ(cpu->request_milli, 250);
  EXPECT_EQ(cpu->limit_milli, 1500);
  auto memory = memory_resource(iso(k_isolator_memory, {{"limit", "1G"}}));
  ASSERT_TRUE(memory.has_value()) << memory.error().message;
  EXPECT_FALSE(memory->request_bytes.has_value());
  EXPECT_EQ(memory->limit_bytes, 1'000'000'000);
  auto numeric = memory_resource(iso(k_isolator_memory, {{"limit", 4096}}));
  ASSERT_TRUE(numeric.has_value());
  EXPECT_EQ(numeric->limit_bytes, 4096);
}

TEST(Isolator, ResourceErrors) {
  EXPECT_EQ(
      error_of(validate_isolator(iso(k_isolator_memory, {{"limit", "12x"}}), "app.isolators[0]")),
      "app.isolators[0].value.limit: \"12x\" is not a valid quantity: unknown suffix \"x\"");
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_cpu, {{"limit", "-1"}}), "isolators[1]")),
            "isolators[1].value.limit: \"-1\" must not be negative");
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_cpu, "1"), "isolators[0]")),
            "isolators[0].value: expected an object, got \"1\"");
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_cpu, {{"default", true}}), "i")),
            "i.value.default: must be false for resource/cpu, got true");
  auto untyped = memory_resource(iso(k_isolator_memory, {{"limit", "1Q"}}));
  ASSERT_FALSE(untyped.has_value());
  EXPECT_EQ(untyped.error().message,
            "resource/memory.limit: \"1Q\" is not a valid quantity: unknown suffix \"Q\"");
  EXPECT_FALSE(cpu_resource(iso(k_isolator_memory, json::object())).has_value());
}

TEST(Isolator, Capabilities) {
  auto retain = capability_set(iso(k_isolator_caps_retain, {{"set", {"CAP_NET_ADMIN"}}}));
  ASSERT_TRUE(retain.has_value()) << retain.error().message;
  EXPECT_EQ(retain->mode, SetMode::retain);
  EXPECT_EQ(retain->set, std::vector<std::string>{"CAP_NET_ADMIN"});
  auto remove = capability_set(iso(k_isolator_caps_remove, {{"set", {"CAP_MKNOD", "CAP_KILL"}}}));
  ASSERT_TRUE(remove.has_value());
  EXPECT_EQ(remove->mode, SetMode::remove);
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_caps_retain, {{"set", {"CAP_FLY"}}}), "a")),
            "a.value.set[0]: \"CAP_FLY\" is not a Linux capability");
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_caps_remove, {{"set", json::array()}}), "a")),
            "a.value.set: must not be empty");
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_caps_remove, {{"set", {1}}}), "a")),
            "a.value.set[0]: expected a string, got 1");
}

TEST(Isolator, CapabilityTable) {
  EXPECT_EQ(capability_number("CAP_CHOWN"), 0);
  EXPECT_EQ(capability_number("CAP_SYS_ADMIN"), 21);
  EXPECT_EQ(capability_number("CAP_CHECKPOINT_RESTORE"), 40);
  EXPECT_FALSE(capability_number("cap_chown").has_value());
  EXPECT_EQ(default_capabilities().size(), 14u);
  for (auto name : default_capabilities()) EXPECT_TRUE(capability_number(name)) << name;
}

TEST(Isolator, Seccomp) {
  auto set =
      seccomp_set(iso(k_isolator_seccomp_remove,
                      {{"set", {"reboot", "@rkt/default-blacklist"}}, {"errno", "ENOTSUP"}}));
  ASSERT_TRUE(set.has_value()) << set.error().message;
  EXPECT_EQ(set->mode, SetMode::remove);
  EXPECT_EQ(set->errno_name, "ENOTSUP");
  auto no_errno = seccomp_set(iso(k_isolator_seccomp_retain, {{"set", {"read"}}, {"errno", ""}}));
  ASSERT_TRUE(no_errno.has_value());
  EXPECT_EQ(no_errno->errno_name, "");
  EXPECT_EQ(error_of(validate_isolator(
                iso(k_isolator_seccomp_retain, {{"set", {"read"}}, {"errno", "eperm"}}), "s")),
            "s.value.errno: \"eperm\" is not an upper-case errno name such as \"EPERM\"");
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_seccomp_retain, {{"set", {"Read!"}}}), "s")),
            "s.value.set[0]: \"Read!\" is neither a syscall name nor a @scope/name wildcard");
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_seccomp_retain, {{"set", {"@all"}}}), "s")),
            "s.value.set[0]: \"@all\" is neither a syscall name nor a @scope/name wildcard");
}

TEST(Isolator, ScalarIsolators) {
  EXPECT_EQ(*no_new_privileges(iso(k_isolator_no_new_privileges, true)), true);
  EXPECT_EQ(*oom_score_adj(iso(k_isolator_oom_score_adj, -1000)), -1000);
  EXPECT_EQ(*cpu_shares(iso(k_isolator_cpu_shares, 1024)), 1024);
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_no_new_privileges, "yes"), "n")),
            "n.value: expected true or false, got \"yes\"");
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_oom_score_adj, 1001), "o")),
            "o.value: 1001 is not in -1000..1000");
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_cpu_shares, 1), "c")),
            "c.value: 1 is not in 2..262144");
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_cpu_shares, 262145), "c")),
            "c.value: 262145 is not in 2..262144");
  EXPECT_EQ(error_of(validate_isolator(iso(k_isolator_cpu_shares, 2.5), "c")),
            "c.value: expected an integer, got 2.5");
}

TEST(Isolator, NameMustBeIdentifier) {
  EXPECT_EQ(error_of(validate_isolator(iso("Resource/CPU", 1), "app.isolators[0]")),
            "app.isolators[0].name: \"Resource/CPU\" is not a valid AC identifier");
}

TEST(Isolator, ListRules) {
  std::vector<Isolator> both_caps = {iso(k_isolator_caps_retain, {{"set", {"CAP_KILL"}}}),
                                     iso(k_isolator_caps_remove, {{"set", {"CAP_KILL"}}})};
  EXPECT_EQ(error_of(validate_isolators(both_caps, "app.isolators")),
            "app.isolators[1]: \"os/linux/capabilities-remove-set\" cannot be used together with "
            "\"os/linux/capabilities-retain-set\"");
  std::vector<Isolator> both_seccomp = {iso(k_isolator_seccomp_remove, {{"set", {"reboot"}}}),
                                        iso(k_isolator_seccomp_retain, {{"set", {"read"}}})};
  EXPECT_EQ(error_of(validate_isolators(both_seccomp, "isolators")),
            "isolators[1]: \"os/linux/seccomp-retain-set\" cannot be used together with "
            "\"os/linux/seccomp-remove-set\"");
  std::vector<Isolator> twice = {iso(k_isolator_memory, {{"limit", "1G"}}),
                                 iso(k_isolator_memory, {{"limit", "2G"}})};
  EXPECT_EQ(error_of(validate_isolators(twice, "isolators")),
            "isolators[1]: \"resource/memory\" is already given at isolators[0]; only one is "
            "allowed");
  std::vector<Isolator> unknown_twice = {iso("example.com/thing", 1), iso("example.com/thing", 2)};
  EXPECT_TRUE(validate_isolators(unknown_twice, "isolators").has_value());
}

TEST(Isolator, Unsupported) {
  std::vector<Isolator> list = {
      iso(k_isolator_cpu, {{"limit", "1"}}),
      iso("resource/block-bandwidth", {{"default", true}, {"limit", "2M"}}),
      iso("os/linux/selinux-context", {{"user", "u"}}),
      iso("resource/block-bandwidth", {{"default", true}, {"limit", "1M"}})};
  EXPECT_TRUE(validate_isolators(list, "isolators").has_value());
  EXPECT_EQ(unsupported_isolators(list),
            (std::vector<std::string>{"resource/block-bandwidth", "os/linux/selinux-context"}));
}

TEST(Isolator, FindAndReplace) {
  std::vector<Isolator> list = {iso(k_isolator_memory, {{"limit", "1G"}}),
                                iso(k_isolator_caps_remove, {{"set", {"CAP_KILL"}}})};
  EXPECT_EQ(find_isolator(list, k_isolator_memory)->value["limit"], "1G");
  EXPECT_EQ(find_isolator(list, k_isolator_cpu), nullptr);
  replace_isolator(list, *make_memory_isolator("", "2G"));
  replace_isolator(list, *make_capability_isolator(SetMode::retain, {"CAP_NET_ADMIN"}),
                   {k_isolator_caps_remove});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, k_isolator_memory);
  EXPECT_EQ(list[0].value, json({{"limit", "2G"}}));
  EXPECT_EQ(list[1].name, k_isolator_caps_retain);
}

TEST(Isolator, Builders) {
  auto cpu = make_cpu_isolator("500m", "500m");
  ASSERT_TRUE(cpu.has_value());
  EXPECT_EQ(cpu->value, json({{"request", "500m"}, {"limit", "500m"}}));
  EXPECT_FALSE(make_cpu_isolator("", "").has_value());
  auto bad_memory = make_memory_isolator("", "lots");
  ASSERT_FALSE(bad_memory.has_value());
  EXPECT_EQ(bad_memory.error().message,
            "resource/memory.limit: \"lots\" is not a valid quantity: expected a number");
  auto seccomp = make_seccomp_isolator(SetMode::remove, {"reboot"}, "EPERM");
  ASSERT_TRUE(seccomp.has_value());
  EXPECT_EQ(seccomp->name, k_isolator_seccomp_remove);
  EXPECT_EQ(seccomp->value, json({{"set", {"reboot"}}, {"errno", "EPERM"}}));
  EXPECT_FALSE(make_capability_isolator(SetMode::remove, {"CAP_NOPE"}).has_value());
  EXPECT_EQ(make_no_new_privileges_isolator(true).value, json(true));
  EXPECT_TRUE(make_oom_score_adj_isolator(500).has_value());
  EXPECT_FALSE(make_oom_score_adj_isolator(5000).has_value());
  EXPECT_TRUE(make_cpu_shares_isolator(512).has_value());
  EXPECT_FALSE(make_cpu_shares_isolator(0).has_value());
}

}  // namespace
}  // namespace rkt::appc

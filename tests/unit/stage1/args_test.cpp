#include "stage1/args.hpp"

#include <gtest/gtest.h>

namespace rkt::stage1 {
namespace {

TEST(RunArgsTest, ParsesTheStage0Contract) {
  auto args = parse_run_args({"--debug", "--net=none", "--interactive", "--hostname=web",
                              "--local-config=/etc/rkt", "--mds-token=t",
                              "--disable-capabilities-restriction", "--disable-paths",
                              "--disable-seccomp", "--machined-helper=/usr/bin/rkt-machined",
                              "uuid-1"});
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_TRUE(args->debug);
  EXPECT_EQ(args->net, NetMode::none);
  EXPECT_TRUE(args->interactive);
  EXPECT_EQ(args->hostname, "web");
  EXPECT_EQ(args->local_config, "/etc/rkt");
  EXPECT_EQ(args->mds_token, "t");
  EXPECT_EQ(args->machined_helper, "/usr/bin/rkt-machined");
  EXPECT_TRUE(args->disable_capabilities);
  EXPECT_TRUE(args->disable_paths);
  EXPECT_TRUE(args->disable_seccomp);
  EXPECT_EQ(args->uuid, "uuid-1");
}

TEST(RunArgsTest, DefaultsAndSeparateValues) {
  auto args = parse_run_args({"--net", "host", "--debug=false", "abc"});
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->net, NetMode::host);
  EXPECT_FALSE(args->debug);
  EXPECT_FALSE(args->interactive);
  EXPECT_EQ(args->hostname, "rkt-abc");
}

TEST(RunArgsTest, PrivateUsersIsTheRangeStage0Claimed) {
  auto args = parse_run_args({"--private-users=655360:65536", "u"});
  ASSERT_TRUE(args) << args.error().message;
  ASSERT_TRUE(args->private_users);
  EXPECT_EQ(args->private_users->base, 655360u);
  EXPECT_EQ(args->private_users->count, 65536u);
  EXPECT_FALSE(parse_run_args({"u"})->private_users);
}

TEST(RunArgsTest, CniNetworksComeWithTheirNamespace) {
  auto args = parse_run_args({"--net=default,net1:IP=1.2.3.4", "--netns=/run/netns/rkt-u",
                              "--dns-conf-mode=resolv=stage0,hosts=host", "u"});
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->net, NetMode::netns);
  EXPECT_EQ(args->netns, "/run/netns/rkt-u");
  EXPECT_EQ(args->resolv_mode, ResolvConfMode::stage0);
  EXPECT_EQ(args->hosts_mode, HostsConfMode::host);
  EXPECT_FALSE(parse_run_args({"--net=host", "--netns=/run/netns/x", "u"}));
  EXPECT_FALSE(parse_run_args({"--dns-conf-mode=resolv=bogus", "u"}));
}

TEST(RunArgsTest, RejectsWhatItCannotDo) {
  EXPECT_FALSE(parse_run_args({"--net=default", "u"}));
  EXPECT_FALSE(parse_run_args({"--private-users=1", "u"}));
  EXPECT_FALSE(parse_run_args({"--private-users=1:0", "u"}));
  EXPECT_FALSE(parse_run_args({"--private-users=4294967295:2", "u"}));
  EXPECT_FALSE(parse_run_args({"--bogus", "u"}));
  EXPECT_FALSE(parse_run_args({"--debug=maybe", "u"}));
  EXPECT_FALSE(parse_run_args({}));
  EXPECT_FALSE(parse_run_args({"a", "b"}));
  auto error = parse_run_args({"--net=default", "u"}).error().message;
  EXPECT_NE(error.find("--netns"), std::string::npos);
}

TEST(EnterArgsTest, TakesTheCommandAfterDashes) {
  auto args = parse_enter_args({"--pid=42", "--appname=web", "--", "ls", "--color", "-l"});
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->pid, 42);
  EXPECT_EQ(args->app, "web");
  EXPECT_EQ(args->command, (std::vector<std::string>{"ls", "--color", "-l"}));
  auto shell = parse_enter_args({"--pid=1", "--appname=a"});
  ASSERT_TRUE(shell);
  EXPECT_EQ(shell->command, (std::vector<std::string>{"/bin/sh"}));
  EXPECT_FALSE(parse_enter_args({"--appname=a"}));
  EXPECT_FALSE(parse_enter_args({"--pid=x", "--appname=a"}));
  EXPECT_FALSE(parse_enter_args({"--pid=3"}));
}

TEST(StopAndGcArgsTest, Parse) {
  auto stop = parse_stop_args({"--force", "u"});
  ASSERT_TRUE(stop);
  EXPECT_TRUE(stop->force);
  EXPECT_EQ(stop->uuid, "u");
  EXPECT_FALSE(parse_stop_args({}));
  auto gc = parse_gc_args({"--debug", "--local-config", "/x", "u"});
  ASSERT_TRUE(gc);
  EXPECT_TRUE(gc->debug);
  EXPECT_EQ(gc->local_config, "/x");
  EXPECT_EQ(gc->uuid, "u");
}

}  // namespace
}  // namespace rkt::stage1

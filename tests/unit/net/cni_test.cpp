#include "net/cni.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "net/exec.hpp"
#include "net/pod_network.hpp"
#include "net/port_forward.hpp"
#include "support/temp_dir.hpp"

namespace rkt::net {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

void write_script(const fs::path& path, const std::string& body) {
  ASSERT_TRUE(util::write_file_atomic(path, "#!/bin/sh\n" + body, 0755));
}

TEST(Cni, ExecCapturesOutputAndFeedsInput) {
  auto output = exec_captured({"/bin/sh", "-c", "cat; echo \"$X\" >&2; exit 3"}, {"X=hello"}, "in");
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->status, 3);
  EXPECT_EQ(output->out, "in");
  EXPECT_EQ(output->err, "hello\n");
}

TEST(Cni, PluginGetsTheCniEnvironmentAndConfig) {
  auto dir = test::make_temp_dir();
  write_script(dir.path() / "fake",
               "cat > \"$(dirname \"$0\")/stdin\"\n"
               "env | grep ^CNI_ | sort > \"$(dirname \"$0\")/env\"\n"
               "echo '{\"ips\":[{\"address\":\"10.1.0.7/16\",\"gateway\":\"10.1.0.1\"}],"
               "\"dns\":{\"nameservers\":[\"10.1.0.53\"],\"search\":[\"svc\"]}}'\n");
  NetConfig config = parse_net_config(R"({"name":"n","type":"fake"})", "n.conf").value();
  PluginCall call{"ADD", "uuid-1", "/run/netns/x", "eth1", "IP=10.1.0.7", {dir.path().string()}};
  auto output = call_plugin(config, call);
  ASSERT_TRUE(output) << output.error().message;
  auto env = util::read_file(dir.path() / "env").value();
  EXPECT_THAT(env, HasSubstr("CNI_COMMAND=ADD\n"));
  EXPECT_THAT(env, HasSubstr("CNI_CONTAINERID=uuid-1\n"));
  EXPECT_THAT(env, HasSubstr("CNI_NETNS=/run/netns/x\n"));
  EXPECT_THAT(env, HasSubstr("CNI_IFNAME=eth1\n"));
  EXPECT_THAT(env, HasSubstr("CNI_ARGS=IP=10.1.0.7\n"));
  EXPECT_THAT(env, HasSubstr("CNI_PATH=" + dir.path().string() + "\n"));
  EXPECT_THAT(util::read_file(dir.path() / "stdin").value(), HasSubstr("\"name\":\"n\""));
  auto result = parse_result(*output);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->ip, "10.1.0.7");
  EXPECT_EQ(result->mask, "255.255.0.0");
  EXPECT_EQ(result->gateway, "10.1.0.1");
  EXPECT_THAT(result->nameservers, ElementsAre("10.1.0.53"));
  EXPECT_THAT(result->search, ElementsAre("svc"));
}

TEST(Cni, OldResultFormat) {
  auto result = parse_result(R"({"ip4":{"ip":"172.16.28.5/24","gateway":"172.16.28.1"}})");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->ip, "172.16.28.5");
  EXPECT_EQ(result->mask, "255.255.255.0");
}

TEST(Cni, PluginErrorsCarryThePluginsMessage) {
  auto dir = test::make_temp_dir();
  write_script(dir.path() / "failing",
               "echo '{\"code\":11,\"msg\":\"no luck\",\"details\":\"none at all\"}'; exit 1\n");
  NetConfig config = parse_net_config(R"({"name":"n","type":"failing"})", "n.conf").value();
  auto failed = call_plugin(config, {"ADD", "u", "/x", "eth0", "", {dir.path().string()}});
  ASSERT_FALSE(failed);
  EXPECT_THAT(failed.error().message, HasSubstr("no luck: none at all"));
  NetConfig missing = parse_net_config(R"({"name":"n","type":"absent"})", "n.conf").value();
  auto not_found = call_plugin(missing, {"ADD", "u", "/x", "eth0", "", {dir.path().string()}});
  ASSERT_FALSE(not_found);
  EXPECT_THAT(not_found.error().message, HasSubstr("plugin \"absent\" not found"));
}

TEST(Cni, PluginDirsAreRktsThenDebians) {
  EXPECT_THAT(plugin_dirs("/etc/rkt", "/p/stage1/rootfs"),
              ElementsAre("/etc/rkt/net.d", "/usr/lib/rkt/plugins/net",
                          "/p/stage1/rootfs/usr/lib/rkt/plugins/net", "/usr/lib/cni"));
}

TEST(PortForward, PortsResolveThroughTheApps) {
  appc::PodManifest manifest;
  manifest.apps.resize(1);
  manifest.apps[0].app.emplace();
  manifest.apps[0].app->ports.push_back({"http", "tcp", 80, 1, false});
  manifest.apps[0].app->ports.push_back({"dns", "udp", 53, 1, false});
  manifest.ports.push_back({"http", 8080, "", std::nullopt});
  manifest.ports.push_back({"dns", 5353, "127.0.0.1", std::nullopt});
  auto ports = resolve_ports(manifest);
  ASSERT_TRUE(ports) << ports.error().message;
  EXPECT_THAT(*ports, ElementsAre(ForwardedPort{"http", "tcp", 8080, "", 80},
                                  ForwardedPort{"dns", "udp", 5353, "127.0.0.1", 53}));
  manifest.ports.push_back({"http2", 8080, "", appc::Port{"http2", "tcp", 81, 1, false}});
  auto twice = resolve_ports(manifest);
  ASSERT_FALSE(twice);
  EXPECT_THAT(twice.error().message, HasSubstr("8080/tcp"));
  EXPECT_EQ(dnat_chain("0123456789abcdef"), "RKT-PFWD-DNAT-01234567");
}

TEST(PodNetwork, NetworksLineAndNoopTeardown) {
  auto dir = test::make_temp_dir();
  EXPECT_TRUE(read_net_info(dir.path()).empty());
  EXPECT_TRUE(teardown_pod_network(dir.path(), "00000000-0000-0000-0000-000000000000"));
  std::vector<NetInfo> nets = {{"default", "builtin", "ptp", "eth0", "172.16.28.2", "", "", ""},
                               {"net1", "x", "bridge", "eth1", "10.1.0.2", "", "", ""}};
  EXPECT_EQ(format_networks(nets), "default:ip4=172.16.28.2,net1:ip4=10.1.0.2");
}

}  // namespace
}  // namespace rkt::net

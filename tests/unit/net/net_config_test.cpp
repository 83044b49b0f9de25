#include "net/net_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace rkt::net {
namespace {

using testing::HasSubstr;

std::vector<std::string> names(const std::vector<NetConfig>& configs) {
  std::vector<std::string> out;
  for (const auto& config : configs) out.push_back(config.name);
  return out;
}

void write_conf(const fs::path& dir, const std::string& file, const std::string& text) {
  ASSERT_TRUE(util::make_dirs(dir));
  ASSERT_TRUE(util::write_file_atomic(dir / file, text));
}

TEST(NetConfig, BuiltinsAreRktsPtpNetworks) {
  NetConfig def = builtin_network("default");
  EXPECT_EQ(def.type, "ptp");
  EXPECT_TRUE(def.ip_masq);
  EXPECT_EQ(def.json["ipam"]["type"], "host-local");
  EXPECT_EQ(def.json["ipam"]["subnet"], "172.16.28.0/24");
  EXPECT_EQ(def.json["ipam"]["routes"][0]["dst"], "0.0.0.0/0");
  NetConfig restricted = builtin_network("default-restricted");
  EXPECT_FALSE(restricted.ip_masq);
  EXPECT_EQ(restricted.json["ipam"]["subnet"], "172.31.0.0/16");
  EXPECT_FALSE(restricted.json["ipam"].contains("routes"));
}

TEST(NetConfig, ParseNeedsNameAndType) {
  EXPECT_FALSE(parse_net_config("{", "x.conf"));
  EXPECT_FALSE(parse_net_config(R"({"type":"ptp"})", "x.conf"));
  auto missing_type = parse_net_config(R"({"name":"a"})", "x.conf");
  ASSERT_FALSE(missing_type);
  EXPECT_THAT(missing_type.error().message, HasSubstr("x.conf"));
  auto config = parse_net_config(R"({"name":"a","type":"bridge","ipMasq":true})", "x.conf");
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->ip_masq);
  EXPECT_EQ(config->json["cniVersion"], "0.3.1");
}

TEST(NetConfig, UserNetworksInFileOrderFirstNameWins) {
  auto dir = test::make_temp_dir();
  fs::path net_d = dir.path() / "net.d";
  write_conf(net_d, "20-b.conf", R"({"name":"b","type":"ptp"})");
  write_conf(net_d, "10-a.conf", R"({"name":"a","type":"ptp"})");
  write_conf(net_d, "30-a.conf", R"({"name":"a","type":"bridge"})");
  write_conf(net_d, "README", "not a config");
  auto configs = load_user_networks(net_d);
  ASSERT_TRUE(configs) << configs.error().message;
  EXPECT_EQ(names(*configs), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ((*configs)[0].type, "ptp");
}

TEST(NetConfig, SelectionFollowsRkt) {
  auto dir = test::make_temp_dir();
  write_conf(dir.path() / "net.d", "10-net1.conf", R"({"name":"net1","type":"bridge"})");
  write_conf(dir.path() / "net.d", "20-net2.conf", R"({"name":"net2","type":"ptp"})");
  auto pick = [&](std::string_view text) {
    return select_networks(parse_net_list(text).value(), dir.path());
  };
  EXPECT_EQ(names(pick("default").value()), (std::vector<std::string>{"default"}));
  EXPECT_EQ(names(pick("default,net2").value()), (std::vector<std::string>{"net2", "default"}));
  EXPECT_EQ(names(pick("all").value()), (std::vector<std::string>{"net1", "net2", "default"}));
  EXPECT_EQ(names(pick("default-restricted").value()),
            (std::vector<std::string>{"default-restricted"}));
  auto missing = pick("default,nope,gone");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "networks not found: nope, gone");
}

TEST(NetConfig, UserDefaultOverridesTheBuiltin) {
  auto dir = test::make_temp_dir();
  write_conf(
      dir.path() / "net.d", "50-mine.conf",
      R"({"name":"default","type":"ptp","ipam":{"type":"host-local","subnet":"10.9.0.0/24"}})");
  auto configs = select_networks(parse_net_list("default").value(), dir.path());
  ASSERT_TRUE(configs);
  ASSERT_EQ(configs->size(), 1u);
  EXPECT_EQ((*configs)[0].json["ipam"]["subnet"], "10.9.0.0/24");
}

TEST(NetConfig, BrokenUserConfigIsAnError) {
  auto dir = test::make_temp_dir();
  write_conf(dir.path() / "net.d", "10-bad.conf", R"({"name": "bad", )");
  auto configs = select_networks(parse_net_list("default").value(), dir.path());
  ASSERT_FALSE(configs);
  EXPECT_THAT(configs.error().message, HasSubstr("10-bad.conf"));
}

}  // namespace
}  // namespace rkt::net

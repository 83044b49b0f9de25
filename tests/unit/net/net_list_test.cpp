#include "net/net_list.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rkt::net {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

TEST(NetList, EmptyMeansDefault) {
  auto list = parse_net_list("");
  ASSERT_TRUE(list);
  EXPECT_THAT(list->nets, ElementsAre(NetRequest{"default", ""}));
  EXPECT_TRUE(list->contained());
}

TEST(NetList, NamesWithCniArgs) {
  auto list = parse_net_list("default,net1:IP=10.1.0.9;K=V");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_THAT(list->nets,
              ElementsAre(NetRequest{"default", ""}, NetRequest{"net1", "IP=10.1.0.9;K=V"}));
  EXPECT_EQ(list->to_string(), "default,net1:IP=10.1.0.9;K=V");
}

TEST(NetList, HostAndNoneStandAlone) {
  EXPECT_TRUE(parse_net_list("host")->host());
  EXPECT_FALSE(parse_net_list("host")->contained());
  EXPECT_TRUE(parse_net_list("none")->none());
  auto mixed = parse_net_list("host,default");
  ASSERT_FALSE(mixed);
  EXPECT_THAT(mixed.error().message, HasSubstr("cannot be combined"));
  EXPECT_FALSE(parse_net_list("none,net1"));
}

TEST(NetList, SpecialNamesTakeNoArgsAndNamesAreUnique) {
  EXPECT_FALSE(parse_net_list("host:IP=1.2.3.4"));
  EXPECT_FALSE(parse_net_list("all:x=y"));
  EXPECT_FALSE(parse_net_list("default,default"));
  EXPECT_FALSE(parse_net_list(":IP=1.2.3.4"));
  EXPECT_TRUE(parse_net_list("all")->all());
}

}  // namespace
}  // namespace rkt::net

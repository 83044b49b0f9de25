#include "appc/names.hpp"

#include <gtest/gtest.h>

namespace rkt::appc {
namespace {

TEST(Names, AcIdentifier) {
  for (const char* good : {"database", "example.com/database", "example.com/~user/app_v1",
                           "sub-domain.example.com/org/product/release", "a", "0",
                           "example.com/~bob/database", "my~database", "a//b"}) {
    EXPECT_TRUE(is_ac_identifier(good)) << good;
  }
  for (const char* bad :
       {"", "Database", "-db", "db-", "~app", "app_", "a b", "a:b", "/a", "a/", "é", "foo#"}) {
    EXPECT_FALSE(is_ac_identifier(bad)) << bad;
  }
}

TEST(Names, AcName) {
  for (const char* good : {"database", "product-database", "a1-b2-c3", "9", "a--b"}) {
    EXPECT_TRUE(is_ac_name(good)) << good;
  }
  for (const char* bad : {"", "a.b", "a_b", "-a", "a-", "A", "a/b"}) {
    EXPECT_FALSE(is_ac_name(bad)) << bad;
  }
}

TEST(Names, SanitizeAcName) {
  EXPECT_EQ(*sanitize_ac_name("coreos.com/etcd"), "etcd");
  EXPECT_EQ(*sanitize_ac_name("example.com/My_App.v2"), "my-app-v2");
  EXPECT_EQ(*sanitize_ac_name("busybox"), "busybox");
  EXPECT_EQ(*sanitize_ac_name("registry-1.docker.io/library/__nginx__"), "nginx");
  EXPECT_EQ(*sanitize_ac_name("a--b"), "a-b");
  EXPECT_FALSE(sanitize_ac_name("example.com/___").has_value());
  EXPECT_FALSE(sanitize_ac_name("").has_value());
}

TEST(Names, SanitizeAcIdentifier) {
  EXPECT_EQ(*sanitize_ac_identifier("Quay.io/CoreOS/etcd"), "quay.io/coreos/etcd");
  EXPECT_EQ(*sanitize_ac_identifier("a:b@c"), "a-b-c");
  EXPECT_EQ(*sanitize_ac_identifier("/a//b./"), "a/b");
  EXPECT_TRUE(is_ac_identifier(*sanitize_ac_identifier("Foo Bar!!/x")));
  EXPECT_FALSE(sanitize_ac_identifier("!!!").has_value());
}

TEST(Names, ValidateNamesTheField) {
  EXPECT_TRUE(validate_ac_identifier("name", "example.com/app").has_value());
  auto bad = validate_ac_identifier("name", "Foo Bar");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, "name: \"Foo Bar\" is not a valid AC identifier");
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid_argument);
  auto bad_name = validate_ac_name("apps[0].name", "a_b");
  ASSERT_FALSE(bad_name.has_value());
  EXPECT_EQ(bad_name.error().message, "apps[0].name: \"a_b\" is not a valid AC name");
}

}  // namespace
}  // namespace rkt::appc

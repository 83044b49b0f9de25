#include "appc/value_formats.hpp"

#include <gtest/gtest.h>

namespace rkt::appc {
namespace {

TEST(ValueFormats, Semver) {
  for (const char* good : {"0.8.11", "1.0.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0+20130313",
                           "1.0.0-rc.1+build.1", "10.20.30"}) {
    EXPECT_TRUE(is_semver(good)) << good;
  }
  for (const char* bad : {"", "1", "1.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+", "a.b.c",
                          "1.0.0-a..b", "v1.0.0"}) {
    EXPECT_FALSE(is_semver(bad)) << bad;
  }
}

TEST(ValueFormats, Rfc3339) {
  for (const char* good : {"2014-10-27T19:32:27.67021798Z", "2015-05-18T13:49:28.351729952-04:00",
                           "2016-02-29T00:00:00Z", "2016-05-18T13:49:28+02:00"}) {
    EXPECT_TRUE(is_rfc3339(good)) << good;
  }
  for (const char* bad : {"", "2014-10-27 19:32:27Z", "2014-10-27T19:32:27", "2015-02-29T00:00:00Z",
                          "2014-13-01T00:00:00Z", "2014-10-27T25:00:00Z", "2014-10-27T19:32:27.Z",
                          "2014-10-27T19:32:27+0200"}) {
    EXPECT_FALSE(is_rfc3339(bad)) << bad;
  }
}

TEST(ValueFormats, Others) {
  EXPECT_TRUE(is_image_id("sha512-0123abcdef"));
  EXPECT_FALSE(is_image_id("sha512-"));
  EXPECT_TRUE(is_image_id("sha512-..."));  // accepted by actool too
  EXPECT_FALSE(is_image_id("sha512-a-b"));
  EXPECT_FALSE(is_image_id("sha256-abc"));
  EXPECT_TRUE(is_env_name("PATH"));
  EXPECT_TRUE(is_env_name("_x.y-z"));
  EXPECT_FALSE(is_env_name("1X"));
  EXPECT_FALSE(is_env_name("A=B"));
  EXPECT_FALSE(is_env_name(""));
  EXPECT_TRUE(is_absolute_path("/"));
  EXPECT_FALSE(is_absolute_path("a/b"));
  EXPECT_TRUE(is_http_url("https://example.com/docs"));
  EXPECT_FALSE(is_http_url("https://"));
  EXPECT_FALSE(is_http_url("example.com"));
}

}  // namespace
}  // namespace rkt::appc

#include "image/http_client.hpp"

#include <gtest/gtest.h>

#include "image/progress_bar.hpp"

using namespace rkt::image;

TEST(HttpClient, UrlParts) {
  EXPECT_EQ(url_host("https://Example.com:8443/a/b?x"), "example.com:8443");
  EXPECT_EQ(url_host("http://user:pw@example.com/a"), "example.com");
  EXPECT_EQ(url_host("https://127.0.0.1?ac-discovery=1"), "127.0.0.1");
  EXPECT_EQ(url_scheme("HTTPS://x"), "https");
  EXPECT_EQ(url_scheme("x/y"), "");
}

TEST(HttpClient, CacheControlMaxAge) {
  EXPECT_EQ(cache_max_age("public, max-age=3600"), 3600);
  EXPECT_EQ(cache_max_age("max-age=60, no-cache"), 0);
  EXPECT_EQ(cache_max_age(""), 0);
}

TEST(HttpClient, PlainHttpIsRefusedUnlessAllowed) {
  HttpClient client(HttpSecurity{});
  auto refused = client.get_text("http://127.0.0.1:9/x");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("--insecure-options=http"), std::string::npos);
  EXPECT_FALSE(client.get_text("ftp://127.0.0.1/x"));
}

TEST(ProgressBar, ShowsSizesAsRktDoes) {
  EXPECT_EQ(format_progress_bar(473, 473, 4), "[====] 473 B/473 B");
  EXPECT_EQ(format_progress_bar(1400000, 2650000, 4), "[==  ] 1.4 MB/2.65 MB");
  EXPECT_EQ(format_progress_bar(10, 0, 2), "[  ] 10 B/?");
}

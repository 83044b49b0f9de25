#include "util/time.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using rkt::util::format_duration;
using rkt::util::parse_duration;

TEST(Duration, ParsesGoSyntax) {
  EXPECT_EQ(*parse_duration("30m0s"), 30min);
  EXPECT_EQ(*parse_duration("24h0m0s"), 24h);
  EXPECT_EQ(*parse_duration("0"), 0s);
  EXPECT_EQ(*parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(*parse_duration("500ms"), 500ms);
  EXPECT_FALSE(parse_duration("10").has_value());
  EXPECT_FALSE(parse_duration("abc").has_value());
  EXPECT_FALSE(parse_duration("").has_value());
}

TEST(Duration, FormatsLikeGo) {
  EXPECT_EQ(format_duration(30min), "30m0s");
  EXPECT_EQ(format_duration(24h), "24h0m0s");
  EXPECT_EQ(format_duration(0s), "0s");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(500ms), "500ms");
  EXPECT_EQ(format_duration(90s), "1m30s");
}

#include "appc/quantity.hpp"

#include <gtest/gtest.h>

namespace rkt::appc {
namespace {

int64_t milli(std::string_view text) {
  auto q = Quantity::parse(text);
  EXPECT_TRUE(q.has_value()) << text;
  auto value = q->milli_value();
  EXPECT_TRUE(value.has_value()) << text;
  return *value;
}

int64_t units(std::string_view text) {
  auto q = Quantity::parse(text);
  EXPECT_TRUE(q.has_value()) << text;
  auto value = q->value();
  EXPECT_TRUE(value.has_value()) << text;
  return *value;
}

TEST(Quantity, MilliUnits) {
  EXPECT_EQ(milli("500m"), 500);
  EXPECT_EQ(milli("1"), 1000);
  EXPECT_EQ(milli("1.5"), 1500);
  EXPECT_EQ(milli("0.3"), 300);
  EXPECT_EQ(milli(".5"), 500);
  EXPECT_EQ(milli("2."), 2000);
  EXPECT_EQ(milli("1e3"), 1'000'000);
  EXPECT_EQ(milli("1E-3"), 1);
  EXPECT_EQ(milli("0.0001"), 1);  // rounded up
  EXPECT_EQ(milli("250u"), 1);
  EXPECT_EQ(milli("+1"), 1000);
  EXPECT_EQ(milli("0"), 0);
}

TEST(Quantity, Bytes) {
  EXPECT_EQ(units("128974848"), 128974848);
  EXPECT_EQ(units("125952Ki"), 128974848);
  EXPECT_EQ(units("123Mi"), 128974848);
  EXPECT_EQ(units("128M"), 128'000'000);
  EXPECT_EQ(units("1Gi"), 1073741824);
  EXPECT_EQ(units("1.5Gi"), 1610612736);
  EXPECT_EQ(units("2k"), 2000);
  EXPECT_EQ(units("2K"), 2000);
  EXPECT_EQ(units("1e3"), 1000);
  EXPECT_EQ(units("1E"), 1'000'000'000'000'000'000);
  EXPECT_EQ(units("1.2"), 2);  // rounded up
  EXPECT_EQ(units("7Ei"), int64_t{7} << 60);
  EXPECT_EQ(units("-1"), -1);
}

TEST(Quantity, Overflow) {
  auto big = Quantity::parse("8Ei");
  ASSERT_TRUE(big.has_value());
  EXPECT_FALSE(big->value().has_value());
  auto milli_overflow = Quantity::parse("1Ei");
  ASSERT_TRUE(milli_overflow.has_value());
  EXPECT_TRUE(milli_overflow->value().has_value());
  EXPECT_FALSE(milli_overflow->milli_value().has_value());
  EXPECT_FALSE(Quantity::parse("1e99")->value().has_value());
}

TEST(Quantity, Garbage) {
  for (const char* bad :
       {"", "abc", "1x", "1.2.3", "--1", "m", ".", "1 Gi", "1Gb", "1e", "e3", "1ii", "0x10"}) {
    auto q = Quantity::parse(bad);
    EXPECT_FALSE(q.has_value()) << bad;
  }
  auto q = Quantity::parse("12x");
  ASSERT_FALSE(q.has_value());
  EXPECT_EQ(q.error().message, "\"12x\" is not a valid quantity: unknown suffix \"x\"");
}

TEST(Quantity, KeepsText) {
  auto q = Quantity::parse("1.50Gi");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->text(), "1.50Gi");
  EXPECT_FALSE(q->is_negative());
  EXPECT_TRUE(Quantity::parse("-5")->is_negative());
  EXPECT_FALSE(Quantity::parse("-0")->is_negative());
}

TEST(Quantity, Format) {
  EXPECT_EQ(format_milli(500), "500m");
  EXPECT_EQ(format_milli(2000), "2");
  EXPECT_EQ(format_milli(1500), "1500m");
  EXPECT_EQ(format_bytes(1073741824), "1Gi");
  EXPECT_EQ(format_bytes(128'000'000), "128M");
  EXPECT_EQ(format_bytes(128974848), "123Mi");
  EXPECT_EQ(format_bytes(1234567), "1234567");
  EXPECT_EQ(format_bytes(0), "0");
  for (int64_t bytes : {int64_t{1} << 40, int64_t{3000}, int64_t{12345}}) {
    EXPECT_EQ(units(format_bytes(bytes)), bytes);
  }
}

}  // namespace
}  // namespace rkt::appc

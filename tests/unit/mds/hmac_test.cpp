#include "mds/hmac.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace rkt::mds {
namespace {

constexpr const char* k_uuid = "6b0d4e62-5e3b-4c2d-9b4e-1f2a3b4c5d6e";

TEST(Base64, RoundTripsEveryPaddingLength) {
  for (const std::string& text :
       std::vector<std::string>{"a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    auto decoded = base64_decode(base64_encode(text));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_EQ(base64_encode("ab"), "YWI=");
  EXPECT_FALSE(base64_decode("abc"));    // not a multiple of 4
  EXPECT_FALSE(base64_decode("ab!d"));   // not the alphabet
}

TEST(Uuid, ParsesCanonicalFormOnly) {
  auto bytes = parse_uuid(k_uuid);
  ASSERT_TRUE(bytes);
  EXPECT_EQ((*bytes)[0], 0x6b);
  EXPECT_EQ((*bytes)[15], 0x6e);
  EXPECT_FALSE(parse_uuid("6b0d4e625e3b4c2d9b4e1f2a3b4c5d6e"));
  EXPECT_FALSE(parse_uuid("6b0d4e62-5e3b-4c2d-9b4e-1f2a3b4c5d6g"));
  EXPECT_FALSE(parse_uuid(""));
}

TEST(Hmac, SignThenVerifySucceedsAndTamperingFails) {
  auto key = make_hmac_key();
  ASSERT_TRUE(key);
  auto uuid = *parse_uuid(k_uuid);
  std::string signature = sign(*key, uuid, "hello");
  EXPECT_EQ(verify(*key, uuid, "hello", signature), std::optional<bool>(true));
  EXPECT_EQ(verify(*key, uuid, "hellO", signature), std::optional<bool>(false));
  auto other = uuid;
  other[0] ^= 1;
  EXPECT_EQ(verify(*key, other, "hello", signature), std::optional<bool>(false));
  std::string tampered = signature;
  tampered[0] = tampered[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verify(*key, uuid, "hello", tampered), std::optional<bool>(false));
  EXPECT_EQ(verify(*key, uuid, "hello", "not base64"), std::nullopt);
}

TEST(Hmac, KeysDifferPerService) {
  auto a = make_hmac_key();
  auto b = make_hmac_key();
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace rkt::mds

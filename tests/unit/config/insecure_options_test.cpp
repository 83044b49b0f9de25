#include "config/insecure_options.hpp"

#include <gtest/gtest.h>

namespace rkt::config {
namespace {

InsecureOptions parse(std::string_view text) {
  auto options = parse_insecure_options(text);
  EXPECT_TRUE(options.has_value()) << text << ": " << options.error().message;
  return options.value_or(InsecureOptions{});
}

TEST(InsecureOptions, None) {
  EXPECT_EQ(parse("none"), InsecureOptions{});
  EXPECT_FALSE(parse("none").any());
}

TEST(InsecureOptions, SingleValuesAddUp) {
  InsecureOptions options = parse("image,tls");
  EXPECT_TRUE(options.image);
  EXPECT_TRUE(options.tls);
  EXPECT_FALSE(options.http);
  EXPECT_TRUE(options.any());
  EXPECT_EQ(parse("none,seccomp"), (InsecureOptions{.seccomp = true}));
  EXPECT_EQ(parse("paths"), (InsecureOptions{.paths = true}));
  EXPECT_EQ(parse("ondisk"), (InsecureOptions{.ondisk = true}));
  EXPECT_EQ(parse("pubkey"), (InsecureOptions{.pubkey = true}));
  EXPECT_EQ(parse("capabilities"), (InsecureOptions{.capabilities = true}));
  EXPECT_EQ(parse("http"), (InsecureOptions{.http = true}));
}

TEST(InsecureOptions, Groups) {
  // As the seed documents it: pubkey is not part of all-fetch.
  EXPECT_EQ(parse("all-fetch"), (InsecureOptions{.image = true, .tls = true, .http = true}));
  EXPECT_EQ(
      parse("all-run"),
      (InsecureOptions{.ondisk = true, .capabilities = true, .paths = true, .seccomp = true}));
  EXPECT_EQ(parse("all"), parse("all-fetch,all-run,pubkey"));
  EXPECT_EQ(parse("all"), parse("image,tls,ondisk,http,pubkey,capabilities,paths,seccomp"));
}

TEST(InsecureOptions, UnknownValue) {
  auto options = parse_insecure_options("image,bogus");
  ASSERT_FALSE(options.has_value());
  EXPECT_EQ(options.error().message,
            "unknown insecure option \"bogus\" (valid: none, image, tls, ondisk, http, pubkey, "
            "capabilities, paths, seccomp, all-fetch, all-run, all)");
  EXPECT_EQ(options.error().kind, ErrorKind::invalid_argument);
  EXPECT_FALSE(parse_insecure_options("").has_value());
  EXPECT_FALSE(parse_insecure_options("image,").has_value());
  EXPECT_FALSE(parse_insecure_options("Image").has_value());
}

TEST(InsecureOptions, Format) {
  EXPECT_EQ(format_insecure_options(InsecureOptions{}), "none");
  EXPECT_EQ(format_insecure_options(parse("tls,image")), "image,tls");
  EXPECT_EQ(format_insecure_options(parse("all")),
            "image,tls,ondisk,http,pubkey,capabilities,paths,seccomp");
}

}  // namespace
}  // namespace rkt::config

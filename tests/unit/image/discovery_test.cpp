#include "image/discovery.hpp"

#include <gtest/gtest.h>

#include "image/discovery_meta.hpp"

using namespace rkt::image;

TEST(DiscoveryMeta, ReadsMetaTagsInAnyCaseAndQuoting) {
  auto tags = parse_meta_tags(
      "<html><head>\n<META name=\"ac-discovery\" content=\"example.com https://e/{name}.{ext}\">"
      "<meta content='example.com https://e/key' name='ac-discovery-pubkeys' />"
      "<meta name=viewport content=x>"
      "<metadata name=\"no\" content=\"no\"><meta charset=\"utf-8\"></head></html>");
  ASSERT_EQ(tags.size(), 3u);
  EXPECT_EQ(tags[0].name, "ac-discovery");
  EXPECT_EQ(tags[0].content, "example.com https://e/{name}.{ext}");
  EXPECT_EQ(tags[1].name, "ac-discovery-pubkeys");
  EXPECT_EQ(tags[1].content, "example.com https://e/key");
  EXPECT_EQ(tags[2].content, "x");
}

TEST(Discovery, TemplatesFillNameLabelsAndExt) {
  std::map<std::string, std::string> vars = {
      {"name", "example.com/app"}, {"version", "1.0"}, {"os", "linux"}, {"arch", "amd64"},
      {"ext", "aci"}, {"channel", "beta"}};
  EXPECT_EQ(render_template("https://e/{name}-{version}-{os}-{arch}-{channel}.{ext}", vars),
            "https://e/example.com/app-1.0-linux-amd64-beta.aci");
  EXPECT_EQ(render_template("https://e/{unknown}.{ext}", vars), std::nullopt);
}

TEST(Discovery, EndpointsOfMatchingPrefixesOnlyWithLatestByDefault) {
  std::vector<MetaTag> tags = {
      {"ac-discovery", "other.com https://o/{name}.{ext}"},
      {"ac-discovery", "example.com https://e/{name}-{version}-{os}-{arch}.{ext}"},
      {"ac-discovery", "example.com https://e/{name}-{missing}.{ext}"},
      {"ac-discovery-pubkeys", "example.com/app https://e/pubkeys.gpg"},
      {"ac-discovery-pubkeys", "example.com/other https://e/other.gpg"}};
  auto found = endpoints_from_tags(tags, "example.com/app", {{"os", "linux"}, {"arch", "amd64"}});
  ASSERT_EQ(found.acis.size(), 1u);
  EXPECT_EQ(found.acis[0].aci, "https://e/example.com/app-latest-linux-amd64.aci");
  EXPECT_EQ(found.acis[0].asc, "https://e/example.com/app-latest-linux-amd64.aci.asc");
  EXPECT_EQ(found.keys, std::vector<std::string>{"https://e/pubkeys.gpg"});
}

TEST(Discovery, UrlsWalkUpTheParentPaths) {
  EXPECT_EQ(discovery_urls("a.com/p/s", false),
            (std::vector<std::string>{"https://a.com/p/s?ac-discovery=1",
                                      "https://a.com/p?ac-discovery=1",
                                      "https://a.com?ac-discovery=1"}));
  EXPECT_EQ(discovery_urls("a.com", true),
            (std::vector<std::string>{"https://a.com?ac-discovery=1",
                                      "http://a.com?ac-discovery=1"}));
}

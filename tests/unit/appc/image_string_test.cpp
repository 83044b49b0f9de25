#include "appc/image_string.hpp"

#include <gtest/gtest.h>

namespace rkt::appc {
namespace {

TEST(ImageString, NameOnly) {
  auto parsed = parse_image_string("coreos.com/etcd");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->name, "coreos.com/etcd");
  EXPECT_TRUE(parsed->labels.empty());
}

TEST(ImageString, VersionAndLabels) {
  auto parsed = parse_image_string("coreos.com/etcd:v2.0.0,os=linux,arch=amd64");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->name, "coreos.com/etcd");
  Labels expected{{"version", "v2.0.0"}, {"os", "linux"}, {"arch", "amd64"}};
  EXPECT_EQ(parsed->labels, expected);
}

TEST(ImageString, LabelsWithoutVersion) {
  auto parsed = parse_image_string("example.com/app,version=1.0,channel=beta");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  Labels expected{{"version", "1.0"}, {"channel", "beta"}};
  EXPECT_EQ(parsed->labels, expected);
}

TEST(ImageString, Errors) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"a:1:2", "malformed image string \"a:1:2\": ':' may appear at most once"},
      {"a,os=linux:1",
       "malformed image string \"a,os=linux:1\": ':' may appear only right after the image name"},
      {"a:1,version=2",
       "malformed image string \"a:1,version=2\": label \"version\" given more "
       "than once"},
      {"Foo", "malformed image string \"Foo\": image name \"Foo\" is not a valid AC identifier"},
      {"a,OS=linux",
       "malformed image string \"a,OS=linux\": label name \"OS\" is not a valid AC identifier"},
      {"a,os", "malformed image string \"a,os\": \"os\" is not of the form label=value"},
      {"a,name=b", "malformed image string \"a,name=b\": \"name\" cannot be used as a label"},
      {"a:", "malformed image string \"a:\": empty version after ':'"},
      {"", "malformed image string \"\": missing image name"},
      {":1", "malformed image string \":1\": missing image name"},
  };
  for (const Case& c : cases) {
    auto parsed = parse_image_string(c.text);
    ASSERT_FALSE(parsed.has_value()) << c.text;
    EXPECT_EQ(parsed.error().message, c.message);
  }
}

TEST(ImageString, Format) {
  EXPECT_EQ(format_image_string("coreos.com/etcd", {{"os", "linux"}, {"version", "v2"}}),
            "coreos.com/etcd:v2");
  EXPECT_EQ(format_image_string("coreos.com/etcd", {}), "coreos.com/etcd");
}

}  // namespace
}  // namespace rkt::appc

#include "image/image_ref.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "util/file.hpp"

using rkt::image::parse_image_ref;
using rkt::image::RefKind;

TEST(ImageRef, ClassifiesSchemes) {
  EXPECT_EQ(parse_image_ref("https://example.com/a.aci")->kind, RefKind::url);
  EXPECT_EQ(parse_image_ref("http://example.com/a.aci")->kind, RefKind::url);
  EXPECT_EQ(parse_image_ref("docker://busybox")->kind, RefKind::docker);
  EXPECT_EQ(parse_image_ref("docker:busybox")->kind, RefKind::docker);
  EXPECT_EQ(parse_image_ref("sha512-0123abcd")->kind, RefKind::hash);
  auto file = parse_image_ref("file:///tmp/x.aci");
  EXPECT_EQ(file->kind, RefKind::path);
  EXPECT_EQ(file->path, "/tmp/x.aci");
}

TEST(ImageRef, PathsByShape) {
  EXPECT_EQ(parse_image_ref("/abs/image.aci")->kind, RefKind::path);
  EXPECT_EQ(parse_image_ref("./image")->kind, RefKind::path);
  EXPECT_EQ(parse_image_ref("image.aci")->kind, RefKind::path);
}

TEST(ImageRef, ExistingFileIsAPath) {
  auto dir = rkt::test::make_temp_dir();
  auto file = dir.path() / "busybox";
  ASSERT_TRUE(rkt::util::write_file_atomic(file, "x"));
  EXPECT_EQ(parse_image_ref(file.string())->kind, RefKind::path);
}

TEST(ImageRef, NamesWithVersionAndLabels) {
  auto ref = parse_image_ref("example.com/busybox:1.36,arch=amd64");
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(ref->kind, RefKind::name);
  EXPECT_EQ(ref->name, "example.com/busybox");
  ASSERT_EQ(ref->labels.size(), 2u);
}

TEST(ImageRef, RejectsEmpty) { EXPECT_FALSE(parse_image_ref("")); }

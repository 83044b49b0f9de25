#include "store/aci_validator.hpp"

#include <gtest/gtest.h>

namespace rkt::store {
namespace {

TEST(CleanEntryPath, NormalisesDotsAndSlashes) {
  EXPECT_EQ(*clean_entry_path("rootfs/"), "rootfs");
  EXPECT_EQ(*clean_entry_path("./manifest"), "manifest");
  EXPECT_EQ(*clean_entry_path("rootfs//etc/./passwd"), "rootfs/etc/passwd");
  EXPECT_EQ(*clean_entry_path("./"), "");
}

TEST(CleanEntryPath, RejectsAbsoluteAndParent) {
  auto absolute = clean_entry_path("/etc/passwd");
  ASSERT_FALSE(absolute);
  EXPECT_EQ(absolute.error().message, "/etc/passwd: absolute path in image");
  auto parent = clean_entry_path("rootfs/../etc");
  ASSERT_FALSE(parent);
  EXPECT_EQ(parent.error().message, "rootfs/../etc: path escapes the image");
  EXPECT_FALSE(clean_entry_path("rootfs/a/.."));
  EXPECT_FALSE(clean_entry_path(""));
}

TEST(SymlinkStaysInside, ResolvesRelativeToTheLinkDirectory) {
  EXPECT_TRUE(symlink_stays_inside("rootfs/bin/sh", "busybox"));
  EXPECT_TRUE(symlink_stays_inside("rootfs/bin/sh", "../usr/bin/busybox"));
  EXPECT_TRUE(symlink_stays_inside("rootfs/a/b/c", "../../x"));
  EXPECT_FALSE(symlink_stays_inside("rootfs/a/b/c", "../../../x"));
  EXPECT_FALSE(symlink_stays_inside("rootfs/x", "../etc"));
  EXPECT_TRUE(symlink_stays_inside("rootfs/x", "./y/../z"));
}

TEST(SymlinkStaysInside, ResolvesAbsoluteTargetsAgainstRootfs) {
  EXPECT_TRUE(symlink_stays_inside("rootfs/a/b/c", "/bin/busybox"));
  EXPECT_TRUE(symlink_stays_inside("rootfs/a", "/"));
  EXPECT_FALSE(symlink_stays_inside("rootfs/a/b/c", "/../etc"));
  EXPECT_FALSE(symlink_stays_inside("rootfs/a", "/usr/../../etc"));
}

TarEntryView file(std::string_view path) {
  return {path, EntryKind::regular, {}};
}
TarEntryView dir(std::string_view path) {
  return {path, EntryKind::directory, {}};
}

TEST(AciValidator, AcceptsAValidLayout) {
  AciValidator v;
  EXPECT_EQ(*v.check(dir("./")), EntryRole::rootfs);
  EXPECT_EQ(*v.check(file("./manifest")), EntryRole::manifest);
  EXPECT_TRUE(v.check(dir("rootfs/")));
  EXPECT_TRUE(v.check(file("rootfs/bin/busybox")));
  EXPECT_TRUE(v.check({"rootfs/bin/sh", EntryKind::symlink, "busybox"}));
  EXPECT_TRUE(v.check({"rootfs/bin/ls", EntryKind::hardlink, "rootfs/bin/busybox"}));
  EXPECT_TRUE(v.check({"rootfs/dev/null", EntryKind::other, {}}));
  EXPECT_TRUE(v.finish());
}

TEST(AciValidator, RootfsMayBeImplied) {
  AciValidator v;
  EXPECT_TRUE(v.check(file("rootfs/x")));
  EXPECT_TRUE(v.check(file("manifest")));
  EXPECT_TRUE(v.finish());
}

TEST(AciValidator, RejectsEntriesBesideManifestAndRootfs) {
  AciValidator v;
  auto r = v.check(file("etc/passwd"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "etc/passwd: unexpected entry (an image holds only manifest and rootfs/)");
  EXPECT_FALSE(v.check(file("rootfsx")));
  EXPECT_FALSE(v.check(file("manifest.bak")));
  EXPECT_FALSE(v.check(file(".")));
}

TEST(AciValidator, RejectsWrongTypes) {
  AciValidator v;
  EXPECT_EQ(v.check(dir("manifest")).error().message, "manifest: not a regular file");
  EXPECT_EQ(v.check(file("rootfs")).error().message, "rootfs: not a directory");
  EXPECT_FALSE(v.check({"manifest", EntryKind::symlink, "rootfs/x"}));
}

TEST(AciValidator, RejectsDuplicates) {
  AciValidator v;
  EXPECT_TRUE(v.check(file("rootfs/a")));
  EXPECT_EQ(v.check(file("rootfs/./a")).error().message, "rootfs/./a: duplicate entry");
  EXPECT_TRUE(v.check(file("manifest")));
  EXPECT_FALSE(v.check(file("manifest")));
}

TEST(AciValidator, RejectsEscapingLinks) {
  AciValidator v;
  EXPECT_EQ(v.check({"rootfs/x", EntryKind::symlink, "../../etc"}).error().message,
            "rootfs/x: symlink target `../../etc` leaves rootfs/");
  EXPECT_FALSE(v.check({"rootfs/y", EntryKind::symlink, ""}));
  EXPECT_TRUE(v.check(file("manifest")));
  EXPECT_EQ(v.check({"rootfs/h", EntryKind::hardlink, "manifest"}).error().message,
            "rootfs/h: hard link target `manifest` is outside rootfs/");
  EXPECT_FALSE(v.check({"rootfs/h", EntryKind::hardlink, "/etc/shadow"}));
  EXPECT_FALSE(v.check({"rootfs/h", EntryKind::hardlink, "rootfs/../../x"}));
  EXPECT_FALSE(v.check({"rootfs/h", EntryKind::hardlink, "rootfs/not-yet"}));
  EXPECT_TRUE(v.check(dir("rootfs/d")));
  EXPECT_FALSE(v.check({"rootfs/h", EntryKind::hardlink, "rootfs/d"}));
}

TEST(AciValidator, FinishNeedsManifestAndRootfs) {
  AciValidator only_rootfs;
  EXPECT_TRUE(only_rootfs.check(dir("rootfs")));
  EXPECT_EQ(only_rootfs.finish().error().message, "image has no manifest");
  AciValidator only_manifest;
  EXPECT_TRUE(only_manifest.check(file("manifest")));
  EXPECT_EQ(only_manifest.finish().error().message, "image has no rootfs/");
}

}  // namespace
}  // namespace rkt::store

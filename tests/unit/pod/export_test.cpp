#include "pod/export.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <cstdlib>
#include <map>

#include "pod_fixture.hpp"

namespace rkt::pod {
namespace {

using test::k_uuid_a;
using test::LockHolder;
using test::write_text;

/// What the export holds for one path.
struct Item {
  unsigned type = 0;  // AE_IF*
  std::string content;
  std::string symlink;
  std::string hardlink;
};

std::map<std::string, Item> read_aci(const fs::path& path) {
  std::map<std::string, Item> items;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 16384), ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
    Item item;
    item.type = archive_entry_filetype(entry);
    if (const char* s = archive_entry_symlink(entry)) item.symlink = s;
    if (const char* h = archive_entry_hardlink(entry)) item.hardlink = h;
    char buffer[4096];
    for (la_ssize_t n; (n = archive_read_data(a, buffer, sizeof buffer)) > 0;) {
      item.content.append(buffer, static_cast<size_t>(n));
    }
    std::string name = archive_entry_pathname(entry);
    if (name.size() > 1 && name.back() == '/') name.pop_back();
    items[name] = item;
  }
  archive_read_free(a);
  return items;
}

const char* const k_app_manifest =
    R"({"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/app",)"
    R"("labels":[{"name":"version","value":"1.0"}],"app":{"exec":["/bin/app"],"user":"0","group":"0"},)"
    R"("dependencies":[{"imageName":"example.com/base"}],"pathWhitelist":["/etc/hello"]})";

class PodExport : public test::PodsFixture {
 protected:
  void SetUp() override {
    m_dir = make_pod(StateDir::run, k_uuid_a, {"app"});
    write_text(paths().app_image_manifest("app"), k_app_manifest);
  }
  PodPaths paths() const { return PodPaths(m_dir); }
  fs::path tree_rootfs() const {
    return tmp() / "data" / "cas" / "tree" / "deps-sha512-1" / "rootfs";
  }
  /// Makes the pod an overlay pod whose lower tree is tree_rootfs(); returns the upper dir.
  fs::path make_overlay_pod() {
    write_text(paths().overlay_prepared(), "");
    write_text(paths().app_tree_id("app"), "deps-sha512-1");
    fs::create_directories(paths().overlay_upper("app"));
    return paths().overlay_upper("app");
  }
  Result<void> export_to(const fs::path& out, Overwrite overwrite = Overwrite::no,
                         std::string_view app = "") {
    auto pod = Pod::load(pods(), k_uuid_a);
    EXPECT_TRUE(pod);
    return export_pod_app(*pod, app, out, overwrite);
  }
  fs::path m_dir;
};

void expect_valid_aci(const fs::path& aci) {
  if (std::system("command -v actool >/dev/null 2>&1") != 0) return;
  std::string command = "actool validate " + aci.string() + " >/dev/null 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << "actool validate " << aci;
}

TEST_F(PodExport, NoOverlayRootfs) {
  auto rootfs = paths().app_rootfs("app");
  write_text(rootfs / "etc" / "hello", "hello\n");
  fs::create_directories(rootfs / "empty");
  fs::create_symlink("hello", rootfs / "etc" / "link");
  fs::create_hard_link(rootfs / "etc" / "hello", rootfs / "etc" / "hard");
  auto out = tmp() / "out.aci";
  auto exported = export_to(out);
  ASSERT_TRUE(exported) << exported.error().message;
  auto items = read_aci(out);
  ASSERT_TRUE(items.count("manifest"));
  auto manifest = nlohmann::json::parse(items["manifest"].content);
  EXPECT_EQ(manifest["name"], "example.com/app");
  EXPECT_FALSE(manifest.contains("dependencies"));
  EXPECT_FALSE(manifest.contains("pathWhitelist"));
  EXPECT_EQ(items["rootfs"].type, AE_IFDIR);
  EXPECT_EQ(items["rootfs/empty"].type, AE_IFDIR);
  EXPECT_EQ(items["rootfs/etc/link"].symlink, "hello");
  // Names are sorted: etc/hard is written first, etc/hello links to it.
  EXPECT_EQ(items["rootfs/etc/hard"].content, "hello\n");
  EXPECT_EQ(items["rootfs/etc/hello"].hardlink, "rootfs/etc/hard");
  expect_valid_aci(out);
}

TEST_F(PodExport, Refusals) {
  auto rootfs = paths().app_rootfs("app");
  fs::create_directories(rootfs);
  EXPECT_EQ(export_to(tmp() / "out.tar").error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(export_to(tmp() / "out.aci", Overwrite::no, "other").error().kind,
            ErrorKind::not_found);
  write_text(tmp() / "exists.aci", "old");
  auto exists = export_to(tmp() / "exists.aci");
  ASSERT_FALSE(exists);
  EXPECT_EQ(exists.error().message, "target file exists (try --overwrite)");
  EXPECT_EQ(test::read_text(tmp() / "exists.aci"), "old");
  ASSERT_TRUE(export_to(tmp() / "exists.aci", Overwrite::yes));
  EXPECT_TRUE(read_aci(tmp() / "exists.aci").count("manifest"));
  {
    LockHolder stage1(m_dir);
    auto running = export_to(tmp() / "running.aci");
    ASSERT_FALSE(running);
    EXPECT_NE(running.error().message.find("not exited"), std::string::npos);
  }
  for (const auto& entry : fs::directory_iterator(tmp())) {
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
  }
}

TEST_F(PodExport, SeveralAppsNeedAChoice) {
  write_text(paths().manifest(), test::pod_manifest_json({"app", "db"}));
  fs::create_directories(paths().app_rootfs("app"));
  auto exported = export_to(tmp() / "out.aci");
  ASSERT_FALSE(exported);
  EXPECT_NE(exported.error().message.find("--app"), std::string::npos);
  EXPECT_TRUE(export_to(tmp() / "out.aci", Overwrite::no, "app"));
}

/// Sets an xattr, or returns false where the filesystem refuses it.
bool try_setxattr(const fs::path& path, const std::string& name, const std::string& value) {
  return ::lsetxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0) == 0;
}

/// lower: etc/{hello,removed}, opt/old/{a,b}, var/keep; upper: changed hello, a new file, a
/// whiteout of etc/removed and an opaque opt/old holding only c.
void expect_merged(const std::map<std::string, Item>& items) {
  EXPECT_EQ(items.at("rootfs/etc/hello").content, "changed\n");
  EXPECT_EQ(items.at("rootfs/etc/new").content, "new\n");
  EXPECT_FALSE(items.count("rootfs/etc/removed"));
  EXPECT_EQ(items.at("rootfs/var/keep").content, "keep\n");
  EXPECT_TRUE(items.count("rootfs/opt/old/c"));
  EXPECT_FALSE(items.count("rootfs/opt/old/a"));
  EXPECT_FALSE(items.count("rootfs/opt/old/b"));
}

void make_lower(const fs::path& lower) {
  write_text(lower / "etc" / "hello", "hello\n");
  write_text(lower / "etc" / "removed", "gone\n");
  write_text(lower / "opt" / "old" / "a", "a\n");
  write_text(lower / "opt" / "old" / "b", "b\n");
  write_text(lower / "var" / "keep", "keep\n");
}

TEST_F(PodExport, OverlayWithUserXattrWhiteouts) {
  make_lower(tree_rootfs());
  auto upper = make_overlay_pod();
  write_text(upper / "etc" / "hello", "changed\n");
  write_text(upper / "etc" / "new", "new\n");
  write_text(upper / "etc" / "removed", "");
  write_text(upper / "opt" / "old" / "c", "c\n");
  if (!try_setxattr(upper / "etc" / "removed", "user.overlay.whiteout", "") ||
      !try_setxattr(upper / "opt" / "old", "user.overlay.opaque", "y")) {
    GTEST_SKIP() << "no user xattrs on " << tmp();
  }
  auto out = tmp() / "out.aci";
  auto exported = export_to(out);
  ASSERT_TRUE(exported) << exported.error().message;
  expect_merged(read_aci(out));
  expect_valid_aci(out);
}

TEST_F(PodExport, OverlayWithKernelWhiteouts) {
  if (!test::running_as_root()) GTEST_SKIP() << "whiteouts (0:0 devices) need root";
  make_lower(tree_rootfs());
  auto upper = make_overlay_pod();
  write_text(upper / "etc" / "hello", "changed\n");
  write_text(upper / "etc" / "new", "new\n");
  ASSERT_EQ(::mknod((upper / "etc" / "removed").c_str(), S_IFCHR | 0000, makedev(0, 0)), 0);
  write_text(upper / "opt" / "old" / "c", "c\n");
  if (!try_setxattr(upper / "opt" / "old", "trusted.overlay.opaque", "y")) {
    GTEST_SKIP() << "no trusted xattrs on " << tmp();
  }
  auto out = tmp() / "out.aci";
  auto exported = export_to(out);
  ASSERT_TRUE(exported) << exported.error().message;
  expect_merged(read_aci(out));
  expect_valid_aci(out);
}

TEST_F(PodExport, OverlayWithoutUpperIsTheImage) {
  make_lower(tree_rootfs());
  make_overlay_pod();
  fs::remove_all(paths().overlay_upper("app"));
  auto out = tmp() / "out.aci";
  ASSERT_TRUE(export_to(out));
  auto items = read_aci(out);
  EXPECT_EQ(items.at("rootfs/etc/removed").content, "gone\n");
  EXPECT_EQ(items.at("rootfs/opt/old/a").content, "a\n");
}

TEST_F(PodExport, OverlayWhoseTreeIsGone) {
  make_overlay_pod();
  auto exported = export_to(tmp() / "out.aci");
  ASSERT_FALSE(exported);
  EXPECT_EQ(exported.error().kind, ErrorKind::not_found);
}

}  // namespace
}  // namespace rkt::pod

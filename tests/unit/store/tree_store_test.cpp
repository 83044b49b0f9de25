#include "store/tree_store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "store/tree_hash.hpp"
#include "support/aci_builder.hpp"
#include "support/temp_dir.hpp"
#include "util/digest.hpp"
#include "util/file.hpp"
#include "util/lock_file.hpp"
#include "util/unique_fd.hpp"

namespace rkt::store {
namespace {

namespace fs = std::filesystem;
using test::AciBuilder;

std::string read(const fs::path& path) {
  auto content = util::read_file(path);
  return content ? *content : std::string("<missing>");
}

bool is_symlink_at(const fs::path& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

bool is_real_dir(const fs::path& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

/// A builder with a manifest for `name` and a rootfs/ directory.
AciBuilder aci(const std::string& name) {
  AciBuilder b;
  b.manifest(test::image_manifest_json(name));
  b.dir("rootfs");
  return b;
}

class TreeStoreTest : public ::testing::Test {
 protected:
  /// Writes `builder`'s tar as a blob and describes it as an image to render.
  RenderImage image(const std::string& name, const AciBuilder& builder,
                    std::vector<std::string> whitelist = {}) {
    std::string tar = builder.tar();
    RenderImage out;
    out.key = "sha512-" + util::sha512_hex(tar).substr(0, 64);
    out.blob = m_dir.path() / (out.key + ".aci");
    AciBuilder::write_bytes(out.blob, tar);
    out.manifest.name = name;
    out.manifest.path_whitelist = std::move(whitelist);
    return out;
  }
  TreeStore store() const { return TreeStore(tree_dir(), m_dir.path() / "locks"); }
  fs::path tree_dir() const { return m_dir.path() / "cas" / "tree"; }

  /// Renders and checks that the tree verifies; returns its rootfs.
  fs::path render_ok(const std::vector<RenderImage>& flattened) {
    auto rendered = store().render(flattened);
    EXPECT_TRUE(rendered) << (rendered ? "" : rendered.error().message);
    if (!rendered) return {};
    auto verified = store().verify(tree_id(flattened));
    EXPECT_TRUE(verified) << (verified ? "" : verified.error().message);
    return *rendered / "rootfs";
  }

  /// Whether rebuilding left the tree at `rootfs` in place (same directory) instead of redoing it.
  bool rebuild_keeps(const std::vector<RenderImage>& flattened, const fs::path& rootfs) {
    struct stat before {};
    struct stat after {};
    EXPECT_EQ(::stat(rootfs.c_str(), &before), 0);
    auto rebuilt = store().rebuild(flattened);
    EXPECT_TRUE(rebuilt) << (rebuilt ? "" : rebuilt.error().message);
    EXPECT_EQ(::stat(rootfs.c_str(), &after), 0);
    return before.st_ino == after.st_ino;
  }

  util::TempDir m_dir = test::make_temp_dir();
};

TEST_F(TreeStoreTest, RendersOneImage) {
  RenderImage a = image("example.com/a", AciBuilder::simple("example.com/a"));
  std::string id = tree_id({a});
  auto rendered = store().render({a});
  ASSERT_TRUE(rendered) << rendered.error().message;
  EXPECT_EQ(*rendered, tree_dir() / id);
  EXPECT_EQ(read(*rendered / "rootfs/etc/hello"), "hello example.com/a\n");
  EXPECT_TRUE(read(*rendered / "hash").starts_with("sha256-"));
  EXPECT_EQ(read(*rendered / "hash").size(), 7u + 64u);
  EXPECT_TRUE(util::path_exists(*rendered / "rendered"));
  EXPECT_EQ(read(*rendered / "image"), a.key);
  EXPECT_NE(read(*rendered / "manifest").find("example.com/a"), std::string::npos);
  EXPECT_EQ(store().rootfs(id), *rendered / "rootfs");
  EXPECT_TRUE(store().verify(id));
  EXPECT_EQ(*store().list_ids(), std::vector<std::string>{id});
  EXPECT_GT(*store().size(id), 0u);
  EXPECT_EQ(*store().image_key(id), a.key);
}

TEST_F(TreeStoreTest, LaterLayerOverwritesAFile) {
  RenderImage b = image("b", aci("b")
                                 .dir("rootfs/etc")
                                 .file("rootfs/etc/os", "from b")
                                 .file("rootfs/etc/only-b", "b", 0600));
  RenderImage a = image("a", aci("a").dir("rootfs/etc").file("rootfs/etc/os", "from a", 0640));
  fs::path rootfs = render_ok({b, a});
  EXPECT_EQ(read(rootfs / "etc/os"), "from a");
  EXPECT_EQ(read(rootfs / "etc/only-b"), "b");
  EXPECT_EQ(fs::status(rootfs / "etc/os").permissions(), fs::perms(0640));
  // The manifest is the top image's.
  EXPECT_NE(read(rootfs.parent_path() / "manifest").find("\"a\""), std::string::npos);
}

TEST_F(TreeStoreTest, ExistingSymlinkToDirIsReplacedNotFollowed) {
  RenderImage b = image("b", aci("b").dir("rootfs/real").symlink("rootfs/link", "real"));
  RenderImage a = image("a", aci("a").dir("rootfs/link", 0750).file("rootfs/link/f", "f"));
  fs::path rootfs = render_ok({b, a});
  EXPECT_TRUE(is_real_dir(rootfs / "link"));
  EXPECT_EQ(read(rootfs / "link/f"), "f");
  EXPECT_FALSE(util::path_exists(rootfs / "real/f"));
  EXPECT_EQ(fs::symlink_status(rootfs / "link").permissions(), fs::perms(0750));
}

TEST_F(TreeStoreTest, DirectoryIsReplacedByASymlinkOfALaterLayer) {
  RenderImage b =
      image("b", aci("b").dir("rootfs/usr").dir("rootfs/lib").file("rootfs/lib/libc", "libc"));
  RenderImage a = image("a", aci("a").symlink("rootfs/lib", "usr/lib"));
  fs::path rootfs = render_ok({b, a});
  EXPECT_TRUE(is_symlink_at(rootfs / "lib"));
  EXPECT_EQ(fs::read_symlink(rootfs / "lib"), "usr/lib");
}

TEST_F(TreeStoreTest, OverwritingAHardLinkedFileLeavesTheOtherName) {
  RenderImage b =
      image("b", aci("b").file("rootfs/one", "old").hardlink("rootfs/two", "rootfs/one"));
  RenderImage a = image("a", aci("a").file("rootfs/one", "new"));
  fs::path rootfs = render_ok({b, a});
  EXPECT_EQ(read(rootfs / "one"), "new");
  EXPECT_EQ(read(rootfs / "two"), "old");
}

TEST_F(TreeStoreTest, PathWhitelistKeepsListedPathsAndTheirDirectories) {
  RenderImage a = image("a",
                        aci("a")
                            .dir("rootfs/etc")
                            .file("rootfs/etc/keep", "k")
                            .file("rootfs/etc/drop", "d")
                            .dir("rootfs/bin")
                            .file("rootfs/bin/sh", "sh")
                            .dir("rootfs/var")
                            .dir("rootfs/var/lib"),
                        {"/etc/keep", "/var/lib"});
  fs::path rootfs = render_ok({a});
  EXPECT_EQ(read(rootfs / "etc/keep"), "k");
  EXPECT_FALSE(util::path_exists(rootfs / "etc/drop"));
  EXPECT_FALSE(util::path_exists(rootfs / "bin"));
  EXPECT_TRUE(is_real_dir(rootfs / "var/lib"));
}

TEST_F(TreeStoreTest, DependantsWhitelistFiltersItsDependencies) {
  RenderImage b =
      image("b", aci("b").dir("rootfs/etc").file("rootfs/etc/b1", "1").file("rootfs/etc/b2", "2"));
  RenderImage a =
      image("a", aci("a").dir("rootfs/etc").file("rootfs/etc/a", "a"), {"/etc/a", "/etc/b1"});
  a.manifest.dependencies.push_back({"b", "", {}, 0});
  auto flattened =
      flatten_dependencies(a, [&](const appc::Dependency&) -> Result<RenderImage> { return b; });
  ASSERT_TRUE(flattened);
  fs::path rootfs = render_ok(*flattened);
  EXPECT_EQ(read(rootfs / "etc/a"), "a");
  EXPECT_EQ(read(rootfs / "etc/b1"), "1");
  EXPECT_FALSE(util::path_exists(rootfs / "etc/b2"));
}

TEST_F(TreeStoreTest, VerifyFailsWhenAFileChanges) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  fs::path rootfs = render_ok({a});
  ASSERT_TRUE(util::write_file_atomic(rootfs / "etc/hello", "tampered"));
  auto verified = store().verify(tree_id({a}));
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().kind, ErrorKind::verification_failed);
  EXPECT_NE(verified.error().message.find("first difference: `etc/hello`"), std::string::npos)
      << verified.error().message;
}

TEST_F(TreeStoreTest, VerifyFailsWhenAModeChanges) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  fs::path rootfs = render_ok({a});
  ASSERT_EQ(::chmod((rootfs / "etc/hello").c_str(), 0600), 0);
  auto verified = store().verify(tree_id({a}));
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().kind, ErrorKind::verification_failed);
}

TEST_F(TreeStoreTest, VerifyFailsWhenAFileAppears) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  fs::path rootfs = render_ok({a});
  ASSERT_TRUE(util::write_file_atomic(rootfs / "etc/new", ""));
  auto verified = store().verify(tree_id({a}));
  ASSERT_FALSE(verified);
  EXPECT_NE(verified.error().message.find("`etc/new`"), std::string::npos);
}

TEST_F(TreeStoreTest, RebuildRestoresATamperedTree) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  fs::path rootfs = render_ok({a});
  ASSERT_TRUE(util::write_file_atomic(rootfs / "etc/hello", "tampered"));
  ASSERT_TRUE(util::write_file_atomic(rootfs / "etc/new", ""));
  ASSERT_FALSE(store().verify(tree_id({a})));
  auto rebuilt = store().rebuild({a});
  ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  EXPECT_TRUE(store().verify(tree_id({a})));
  EXPECT_NE(read(rootfs / "etc/hello"), "tampered");
  EXPECT_FALSE(fs::exists(rootfs / "etc/new"));
  EXPECT_TRUE(store().is_rendered(tree_id({a})));
}

TEST_F(TreeStoreTest, RebuildOfASoundTreeKeepsIt) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  fs::path rootfs = render_ok({a});
  EXPECT_TRUE(rebuild_keeps({a}, rootfs)) << "another process's rebuild is not repeated";
}

/// Rewrites a rendered tree's `entries` and `hash` as rkt wrote them before tree hashes used
/// SHA-256 (SHA-512 of every file and of the records), and drops its `verified` stamps.
void make_old_format(const fs::path& tree) {
  TreeHashBuilder old(util::DigestAlgorithm::sha512);
  ASSERT_TRUE(scan_tree(tree / "rootfs", old));
  ASSERT_TRUE(util::write_file_atomic(tree / "entries", old.records()));
  ASSERT_TRUE(util::write_file_atomic(tree / "hash", "sha512-" + util::sha512_hex(old.records())));
  std::error_code ec;
  fs::remove(tree / "verified", ec);
}

TEST_F(TreeStoreTest, OldFormatTreeStillVerifiesAndIsNotRebuilt) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  fs::path rootfs = render_ok({a});
  make_old_format(rootfs.parent_path());
  EXPECT_TRUE(store().verify(tree_id({a})));
  EXPECT_TRUE(store().verify(tree_id({a})));  // again, with the stamps the first one kept
  EXPECT_TRUE(rebuild_keeps({a}, rootfs)) << "a sound old-format tree is kept";
  EXPECT_TRUE(read(rootfs.parent_path() / "hash").starts_with("sha512-"));
}

TEST_F(TreeStoreTest, OldFormatTreeStillCatchesAChange) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  fs::path rootfs = render_ok({a});
  make_old_format(rootfs.parent_path());
  ASSERT_TRUE(util::write_file_atomic(rootfs / "etc/hello", "tampered"));
  auto verified = store().verify(tree_id({a}));
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().kind, ErrorKind::verification_failed);
  EXPECT_NE(verified.error().message.find("first difference: `etc/hello`"), std::string::npos)
      << verified.error().message;
  ASSERT_TRUE(store().rebuild({a}));
  EXPECT_TRUE(store().verify(tree_id({a})));
  EXPECT_TRUE(read(rootfs.parent_path() / "hash").starts_with("sha256-")) << "rebuilt anew";
}

TEST_F(TreeStoreTest, UnknownHashFormatFailsVerificationAndIsRebuilt) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  fs::path rootfs = render_ok({a});
  ASSERT_TRUE(util::write_file_atomic(rootfs.parent_path() / "hash", "md5-0123456789abcdef"));
  auto verified = store().verify(tree_id({a}));
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().kind, ErrorKind::verification_failed);
  ASSERT_TRUE(store().rebuild({a}));
  EXPECT_TRUE(store().verify(tree_id({a})));
  EXPECT_TRUE(read(rootfs.parent_path() / "hash").starts_with("sha256-"));
}

TEST_F(TreeStoreTest, VerifyOfAnUnknownTreeIsNotFound) {
  auto verified = store().verify("deps-sha512-" + std::string(64, '0'));
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().kind, ErrorKind::not_found);
  EXPECT_FALSE(store().verify("../escape"));
}

TEST_F(TreeStoreTest, RenderIsIdempotent) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  auto first = store().render({a});
  ASSERT_TRUE(first);
  // A file the renderer would not write shows that the tree was not rendered again.
  ASSERT_TRUE(util::write_file_atomic(*first / "sentinel", "x"));
  auto second = store().render({a});
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
  EXPECT_TRUE(util::path_exists(*second / "sentinel"));
}

TEST_F(TreeStoreTest, ConcurrentRendersOfOneTreeFromTwoProcessesBothSucceed) {
  AciBuilder builder = aci("a");
  for (int i = 0; i < 200; ++i)
    builder.file("rootfs/f" + std::to_string(i), std::string(4096, 'x'));
  RenderImage a = image("a", builder);
  std::vector<pid_t> children;
  for (int i = 0; i < 2; ++i) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto r = store().render({a});
      ::_exit(r && store().verify(tree_id({a})) ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(*store().list_ids(), std::vector<std::string>{tree_id({a})});
  EXPECT_EQ(std::distance(fs::directory_iterator(tree_dir()), fs::directory_iterator()), 1);
}

TEST_F(TreeStoreTest, StaleTemporaryDirsAreRemovedUnlessTheirLockIsHeld) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  std::string id = tree_id({a});
  std::string busy = "deps-sha512-" + std::string(64, 'b');
  std::string dead = "deps-sha512-" + std::string(64, 'd');
  for (const std::string& name : {id + ".tmp-killed", dead + ".tmp-killed", busy + ".tmp-live"}) {
    ASSERT_TRUE(util::make_dirs(tree_dir() / name / "rootfs/etc"));
  }
  ASSERT_TRUE(util::make_dirs(m_dir.path() / "locks"));
  auto held =
      util::LockFile::acquire(m_dir.path() / "locks" / ("tree-" + busy), util::LockMode::exclusive);
  ASSERT_TRUE(held);
  render_ok({a});
  EXPECT_FALSE(util::path_exists(tree_dir() / (id + ".tmp-killed")));
  EXPECT_FALSE(util::path_exists(tree_dir() / (dead + ".tmp-killed")));
  EXPECT_TRUE(util::path_exists(tree_dir() / (busy + ".tmp-live")));
  EXPECT_EQ(*store().list_ids(), std::vector<std::string>{id});
}

/// Names under tree/ and locks/ that belong to trees rendered while importing.
std::vector<std::string> pending_names(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.find("pending-") != std::string::npos) names.push_back(name);
  }
  return names;
}

/// `bytes` as one block of an in-process stream.
util::BlockReader blocks_of(std::string bytes) {
  auto given = std::make_shared<bool>(false);
  auto data = std::make_shared<std::string>(std::move(bytes));
  return [given, data]() -> Result<std::span<const char>> {
    if (std::exchange(*given, true)) return std::span<const char>();
    return std::span<const char>(*data);
  };
}

TEST_F(TreeStoreTest, PendingTreeExtractedFromAStreamBecomesTheImagesTree) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  auto pending = store().begin_pending();
  ASSERT_TRUE(pending) << pending.error().message;
  EXPECT_EQ(pending_names(tree_dir()).size(), 1u);
  EXPECT_TRUE(store().list_ids()->empty()) << "not a tree before it is committed";
  ASSERT_TRUE(store().extract_pending(*pending, blocks_of(read(a.blob)), "a.aci"));
  auto placed = store().commit_pending(std::move(*pending), {a});
  ASSERT_TRUE(placed) << placed.error().message;
  EXPECT_EQ(*placed, tree_dir() / tree_id({a}));
  EXPECT_TRUE(store().is_rendered(tree_id({a})));
  EXPECT_TRUE(store().verify(tree_id({a})));
  EXPECT_EQ(read(*placed / "rootfs/etc/hello"), "hello a\n");
  EXPECT_EQ(read(*placed / "image"), a.key);
  EXPECT_TRUE(read(*placed / "hash").starts_with("sha256-"));
  EXPECT_TRUE(pending_names(tree_dir()).empty());
  EXPECT_TRUE(pending_names(m_dir.path() / "locks").empty());
}

TEST_F(TreeStoreTest, DroppedPendingTreeLeavesNothing) {
  {
    auto pending = store().begin_pending();
    ASSERT_TRUE(pending);
  }
  EXPECT_TRUE(pending_names(tree_dir()).empty());
  EXPECT_TRUE(pending_names(m_dir.path() / "locks").empty());
}

TEST_F(TreeStoreTest, PendingTreeFitsOnlyAnImageWithoutDependencies) {
  RenderImage b = image("b", AciBuilder::simple("b"));
  RenderImage a = image("a", AciBuilder::simple("a"));
  auto pending = store().begin_pending();
  ASSERT_TRUE(pending);
  ASSERT_TRUE(store().extract_pending(*pending, blocks_of(read(a.blob)), "a.aci"));
  auto placed = store().commit_pending(std::move(*pending), {b, a});
  EXPECT_FALSE(placed);
  EXPECT_TRUE(store().list_ids()->empty());
  EXPECT_TRUE(pending_names(tree_dir()).empty());
}

TEST_F(TreeStoreTest, KilledFetchsPendingTreeIsRemovedByTheNextRender) {
  std::string owner = "pending-999999-0";
  ASSERT_TRUE(util::make_dirs(tree_dir() / (owner + ".tmp-killed") / "rootfs/etc"));
  ASSERT_TRUE(util::make_dirs(m_dir.path() / "locks"));
  ASSERT_TRUE(util::write_file_atomic(m_dir.path() / "locks" / ("tree-" + owner), ""));
  RenderImage a = image("a", AciBuilder::simple("a"));
  render_ok({a});
  EXPECT_TRUE(pending_names(tree_dir()).empty());
  EXPECT_TRUE(pending_names(m_dir.path() / "locks").empty());
}

TEST_F(TreeStoreTest, IncompleteTreeIsRenderedAgain) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  std::string id = tree_id({a});
  ASSERT_TRUE(util::make_dirs(tree_dir() / id / "rootfs"));
  fs::path rootfs = render_ok({a});
  EXPECT_EQ(read(rootfs / "etc/hello"), "hello a\n");
}

TEST_F(TreeStoreTest, RemoveDeletesTheTree) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  render_ok({a});
  std::string id = tree_id({a});
  ASSERT_TRUE(store().remove(id));
  EXPECT_FALSE(util::path_exists(tree_dir() / id));
  EXPECT_TRUE(store().list_ids()->empty());
  EXPECT_TRUE(store().remove(id));  // already gone
  EXPECT_FALSE(store().remove("../locks"));
}

TEST_F(TreeStoreTest, SymlinkOfALowerLayerIsNotWrittenThrough) {
  util::TempDir outside = test::make_temp_dir();
  RenderImage b = image("b", aci("b").symlink("rootfs/escape", outside.path().string()));
  RenderImage a = image("a", aci("a").file("rootfs/escape/pwned", "x"));
  auto rendered = store().render({b, a});
  if (rendered) {
    EXPECT_TRUE(is_real_dir(*rendered / "rootfs/escape"));
  }
  EXPECT_TRUE(fs::is_empty(outside.path()));
}

TEST_F(TreeStoreTest, SymlinkInTheSameImageIsNotWrittenThrough) {
  util::TempDir outside = test::make_temp_dir();
  RenderImage a = image("a", aci("a")
                                 .symlink("rootfs/escape", outside.path().string())
                                 .file("rootfs/escape/pwned", "x")
                                 .hardlink("rootfs/h", "rootfs/escape/pwned"));
  EXPECT_FALSE(store().render({a}));
  EXPECT_TRUE(fs::is_empty(outside.path()));
}

TEST_F(TreeStoreTest, DotDotEntryIsRefused) {
  RenderImage a = image("a", aci("a").file("rootfs/../../evil", "x"));
  auto rendered = store().render({a});
  ASSERT_FALSE(rendered);
  EXPECT_NE(rendered.error().message.find(".."), std::string::npos);
  EXPECT_FALSE(util::path_exists(tree_dir() / "evil"));
  EXPECT_TRUE(store().list_ids()->empty());
}

TEST_F(TreeStoreTest, ExtractToDirRootfsOnlyOrWithManifest) {
  RenderImage a = image("a", AciBuilder::simple("a"));
  fs::path only = m_dir.path() / "only";
  ASSERT_TRUE(extract_to_dir(a.blob, only, RootfsOnly::yes));
  EXPECT_EQ(read(only / "etc/hello"), "hello a\n");
  EXPECT_FALSE(util::path_exists(only / "manifest"));
  EXPECT_FALSE(util::path_exists(only / "rootfs"));

  fs::path full = m_dir.path() / "full";
  ASSERT_TRUE(extract_to_dir(a.blob, full, RootfsOnly::no));
  EXPECT_EQ(read(full / "rootfs/etc/hello"), "hello a\n");
  EXPECT_NE(read(full / "manifest").find("\"a\""), std::string::npos);
}

TEST_F(TreeStoreTest, ExtractToDirIgnoresDependenciesAndWhitelist) {
  RenderImage a = image("a", AciBuilder::simple("a").file("rootfs/etc/other", "o"), {"/etc/hello"});
  fs::path out = m_dir.path() / "out";
  ASSERT_TRUE(extract_to_dir(a.blob, out, RootfsOnly::yes));
  EXPECT_EQ(read(out / "etc/other"), "o");
}

TEST_F(TreeStoreTest, RenderToDirAppliesDependencies) {
  RenderImage b = image("b", aci("b").dir("rootfs/etc").file("rootfs/etc/b", "b"));
  RenderImage a = image("a", aci("a").dir("rootfs/etc").file("rootfs/etc/a", "a"));
  fs::path full = m_dir.path() / "full";
  ASSERT_TRUE(render_to_dir({b, a}, full, RootfsOnly::no));
  EXPECT_EQ(read(full / "rootfs/etc/a"), "a");
  EXPECT_EQ(read(full / "rootfs/etc/b"), "b");
  EXPECT_NE(read(full / "manifest").find("\"a\""), std::string::npos);

  fs::path only = m_dir.path() / "only";
  ASSERT_TRUE(render_to_dir({b, a}, only, RootfsOnly::yes));
  EXPECT_EQ(read(only / "etc/b"), "b");
  EXPECT_FALSE(util::path_exists(only / "manifest"));
}

}  // namespace
}  // namespace rkt::store

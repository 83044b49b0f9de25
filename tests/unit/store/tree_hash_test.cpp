#include "store/tree_hash.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "store/tar_extract.hpp"
#include "support/aci_builder.hpp"
#include "support/temp_dir.hpp"
#include "util/digest.hpp"
#include "util/file.hpp"

namespace rkt::store {
namespace {

namespace fs = std::filesystem;
using test::AciBuilder;

std::string random_bytes(size_t size, unsigned seed) {
  std::mt19937 gen(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(gen());
  return out;
}

/// An image with most kinds of entries: odd modes, links, a large file, an empty one, a
/// directory only implied by its contents, and names that sort around '/'.
AciBuilder varied_image() {
  AciBuilder b;
  b.manifest(test::image_manifest_json("example.com/varied"));
  b.dir("rootfs", 0755);
  b.dir("rootfs/bin");
  b.file("rootfs/bin/tool", random_bytes(3 * 1024 * 1024 + 17, 1), 04755);
  b.file("rootfs/bin/empty", "", 0600);
  b.hardlink("rootfs/bin/tool-link", "rootfs/bin/tool");
  b.symlink("rootfs/bin/sh", "/bin/tool");
  b.dir("rootfs/tmp", 01777);
  b.dir("rootfs/locked", 0750);
  b.file("rootfs/locked/secret", "s", 0400);
  b.file("rootfs/implied/dir/file", "inside a directory without an entry");
  b.file("rootfs/a-b", "dash");
  b.dir("rootfs/a");
  b.file("rootfs/a/b", "slash");
  b.entry({.path = "rootfs/fifo", .type = test::TarEntry::Type::fifo, .mode = 0644});
  return b;
}

class TreeHashTest : public ::testing::Test {
 protected:
  /// Extracts `builder`'s tar into a fresh rootfs, hashing on the way; returns that hash.
  std::string extract(const AciBuilder& builder) {
    fs::path tar = m_dir.path() / "image.aci";
    builder.write(tar);
    EXPECT_TRUE(util::make_dirs(rootfs()));
    TreeHashBuilder hash;
    ExtractOptions options;
    options.rootfs_dir = rootfs();
    options.hash = &hash;
    auto r = extract_aci(tar, options);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    EXPECT_TRUE(record_directories(hash, rootfs()));
    return hash.hash();
  }
  std::string walk() {
    auto hash = compute_tree_hash(rootfs());
    EXPECT_TRUE(hash) << (hash ? "" : hash.error().message);
    return hash ? *hash : std::string();
  }
  fs::path rootfs() const { return m_dir.path() / "rootfs"; }

  util::TempDir m_dir = test::make_temp_dir();
};

TEST_F(TreeHashTest, HashDuringExtractionEqualsHashOfTheWalk) {
  std::string during = extract(varied_image());
  EXPECT_TRUE(during.starts_with("sha256-"));
  EXPECT_EQ(during.size(), 7u + 64u);
  EXPECT_EQ(during, walk());
}

TEST_F(TreeHashTest, FileDigestsAreSha256OfTheContent) {
  extract(varied_image());
  TreeHashBuilder scanned;
  ASSERT_TRUE(scan_tree(rootfs(), scanned));
  EXPECT_EQ(scanned.find("a/b")->detail, util::sha256_hex("slash"));
}

TEST_F(TreeHashTest, OldSha512FormatIsStillComputedTheSameWay) {
  std::string during = extract(varied_image());
  auto old_format = compute_tree_hash(rootfs(), util::DigestAlgorithm::sha512);
  ASSERT_TRUE(old_format);
  EXPECT_TRUE(old_format->starts_with("sha512-"));
  EXPECT_EQ(old_format->size(), 7u + 128u);
  TreeHashBuilder scanned(util::DigestAlgorithm::sha512);
  ASSERT_TRUE(scan_tree(rootfs(), scanned));
  EXPECT_EQ(scanned.find("a/b")->detail, util::sha512_hex("slash"));
  EXPECT_EQ(*old_format, "sha512-" + util::sha512_hex(scanned.records()));
  EXPECT_NE(*old_format, during);
}

TEST(TreeHashAlgorithm, NamedByTheHashPrefix) {
  EXPECT_EQ(tree_hash_algorithm("sha256-" + std::string(64, 'a')), util::DigestAlgorithm::sha256);
  EXPECT_EQ(tree_hash_algorithm("sha512-" + std::string(128, 'a')), util::DigestAlgorithm::sha512);
  EXPECT_EQ(tree_hash_algorithm("md5-abc"), std::nullopt);
  EXPECT_EQ(tree_hash_algorithm("sha256"), std::nullopt);
  EXPECT_EQ(tree_hash_algorithm(""), std::nullopt);
}

TEST_F(TreeHashTest, RecordsEveryEntryWithItsMetadata) {
  extract(varied_image());
  TreeHashBuilder scanned;
  ASSERT_TRUE(scan_tree(rootfs(), scanned));
  const TreeEntry* tool = scanned.find("bin/tool");
  ASSERT_NE(tool, nullptr);
  EXPECT_EQ(tool->type, 'f');
  const TreeEntry* link = scanned.find("bin/tool-link");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->detail, tool->detail);
  EXPECT_EQ(scanned.find("bin/sh")->detail, "/bin/tool");
  EXPECT_EQ(scanned.find("tmp")->mode, 01777u);
  EXPECT_EQ(scanned.find("implied/dir")->type, 'd');
  EXPECT_EQ(scanned.find("fifo")->type, 'p');
  if (::geteuid() == 0) {
    EXPECT_EQ(tool->mode, 04755u);
  }
}

TEST_F(TreeHashTest, TimesDoNotMatter) {
  std::string before = extract(varied_image());
  fs::last_write_time(rootfs() / "a-b", fs::file_time_type::clock::now());
  fs::last_write_time(rootfs() / "bin", fs::file_time_type::clock::now());
  EXPECT_EQ(walk(), before);
}

TEST_F(TreeHashTest, ContentModeAndLinkTargetMatter) {
  std::string before = extract(varied_image());
  ASSERT_TRUE(util::write_file_atomic(rootfs() / "a/b", "other", 0644));
  std::string after_content = walk();
  EXPECT_NE(after_content, before);
  ASSERT_EQ(::chmod((rootfs() / "a/b").c_str(), 0600), 0);
  std::string after_mode = walk();
  EXPECT_NE(after_mode, after_content);
  fs::remove(rootfs() / "bin/sh");
  fs::create_symlink("/bin/other", rootfs() / "bin/sh");
  EXPECT_NE(walk(), after_mode);
}

TEST_F(TreeHashTest, NamesAreNotConfusedWithContent) {
  TreeHashBuilder one;
  one.set("a", TreeEntry{'f', 0644, 0, 0, "x"});
  TreeHashBuilder two;
  two.set("a", TreeEntry{'f', 0644, 0, 0, ""});
  two.set("x", TreeEntry{'f', 0644, 0, 0, ""});
  EXPECT_NE(one.hash(), two.hash());
}

TEST_F(TreeHashTest, FirstDifferenceNamesChangedMissingAndUnexpectedPaths) {
  TreeHashBuilder base;
  base.set("a", TreeEntry{'f', 0644, 0, 0, "1"});
  base.set("b\nline", TreeEntry{'l', 0777, 0, 0, "target\nwith newline"});
  base.set("c", TreeEntry{'d', 0755, 0, 0, {}});
  EXPECT_EQ(first_difference(base.records(), base.records()), "");
  TreeHashBuilder changed = base;
  changed.set("c", TreeEntry{'d', 0700, 0, 0, {}});
  EXPECT_EQ(first_difference(base.records(), changed.records()), "c");
  TreeHashBuilder missing = base;
  missing.erase_subtree("b\nline");
  EXPECT_EQ(first_difference(base.records(), missing.records()), "b\nline");
  TreeHashBuilder extra = base;
  extra.set("a0", TreeEntry{'f', 0644, 0, 0, "2"});
  EXPECT_EQ(first_difference(base.records(), extra.records()), "a0");
}

TEST_F(TreeHashTest, EraseSubtreeKeepsSiblingsThatSortAlike) {
  TreeHashBuilder hash;
  for (const char* path : {"a", "a/b", "a/b/c", "a-b", "a0", "ab"}) {
    hash.set(path, TreeEntry{'d', 0755, 0, 0, {}});
  }
  hash.erase_subtree("a");
  std::vector<std::string> left;
  for (const auto& [path, entry] : hash.entries()) left.push_back(path);
  EXPECT_EQ(left, (std::vector<std::string>{"a-b", "a0", "ab"}));
}

/// A scan that trusts every stamp (as if the tree had settled long ago).
KnownContents settled_contents() {
  KnownContents contents;
  contents.now = ::time(nullptr) + 3600;
  return contents;
}

TEST_F(TreeHashTest, KnownContentsSpareReadingUnchangedFiles) {
  std::string extracted = extract(varied_image());
  KnownContents first = settled_contents();
  TreeHashBuilder scanned;
  ASSERT_TRUE(scan_tree(rootfs(), scanned, &first));
  EXPECT_EQ(scanned.hash(), extracted);
  EXPECT_GT(first.hashed_files, 0u);

  KnownContents second = settled_contents();
  second.known = VerifiedContents::parse(first.learned.serialize(), 64);
  TreeHashBuilder again;
  ASSERT_TRUE(scan_tree(rootfs(), again, &second));
  EXPECT_EQ(again.hash(), extracted);
  EXPECT_EQ(second.hashed_files, 0u);
}

TEST_F(TreeHashTest, KnownContentsStillSeeAWriteThatKeepsSizeAndTimes) {
  extract(varied_image());
  KnownContents first = settled_contents();
  TreeHashBuilder before;
  ASSERT_TRUE(scan_tree(rootfs(), before, &first));
  // Overwrite in place, same size, and put mtime back: only ctime tells.
  fs::path file = rootfs() / "a/b";
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  std::string content = util::read_file(file).value();
  ASSERT_FALSE(content.empty());
  content[0] = static_cast<char>(content[0] ^ 1);
  {
    std::ofstream out(file, std::ios::binary | std::ios::in | std::ios::out);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, file.c_str(), times, 0), 0);

  KnownContents second = settled_contents();
  second.known = first.learned;
  TreeHashBuilder after;
  ASSERT_TRUE(scan_tree(rootfs(), after, &second));
  EXPECT_EQ(second.hashed_files, 1u);
  EXPECT_NE(after.hash(), before.hash());
  EXPECT_EQ(first_difference(before.records(), after.records()), "a/b");
}

TEST(VerifiedContents, RecentStampsAreNotRemembered) {
  VerifiedContents contents;
  time_t now = 1'000'000;
  FileStamp old_stamp{1, 2, 0, static_cast<int64_t>(now - 60) * 1'000'000'000};
  FileStamp fresh_stamp{3, 4, 0, static_cast<int64_t>(now) * 1'000'000'000};
  contents.remember("old", old_stamp, std::string(128, 'a'), now);
  contents.remember("fresh", fresh_stamp, std::string(128, 'b'), now);
  VerifiedContents parsed = VerifiedContents::parse(contents.serialize(), 128);
  ASSERT_NE(parsed.find("old", old_stamp), nullptr);
  EXPECT_EQ(*parsed.find("old", old_stamp), std::string(128, 'a'));
  EXPECT_EQ(parsed.find("fresh", fresh_stamp), nullptr);
  FileStamp moved = old_stamp;
  moved.ctime_ns += 1;
  EXPECT_EQ(parsed.find("old", moved), nullptr);
}

TEST(VerifiedContents, DamagedTextYieldsWhatCanBeRead) {
  EXPECT_EQ(VerifiedContents::parse("garbage", 64).size(), 0u);
  EXPECT_EQ(VerifiedContents::parse(std::string("p\0x\0"
                                                "1\0"
                                                "2\0"
                                                "3\0short\0",
                                                16),
                                    64)
                .size(),
            0u);
}

TEST(TreeHashContentHasher, DigestsMatchOneShotDigestsAcrossBatchBoundaries) {
  for (auto algorithm : {util::DigestAlgorithm::sha256, util::DigestAlgorithm::sha512}) {
  ContentHasher hasher(algorithm);
  std::vector<std::string> expected;
  for (unsigned i = 0; i < 40; ++i) {
    // Sizes from empty to several batches, fed in uneven pieces, some with holes.
    std::string content = random_bytes(i % 5 == 0 ? 0 : (size_t{1} << (i % 23)) + i, i);
    size_t hole = i % 3 == 0 ? 70000 : 0;
    EXPECT_EQ(hasher.begin_file(), i);
    hasher.add_zeros(hole);
    for (size_t pos = 0; pos < content.size(); pos += 300001) {
      hasher.add(content.data() + pos, std::min<size_t>(300001, content.size() - pos));
    }
    hasher.end_file();
    std::string whole = std::string(hole, '\0') + content;
    expected.push_back(algorithm == util::DigestAlgorithm::sha512 ? util::sha512_hex(whole)
                                                                  : util::sha256_hex(whole));
  }
  EXPECT_EQ(hasher.finish(), expected);
  }
}

TEST(TreeHashPathFilter, WhitelistKeepsListedPathsAndDirectoriesOnTheWay) {
  PathFilter filter;
  EXPECT_TRUE(filter.keep("anything", false));
  filter.add_whitelist({"/etc/keep", "/usr/lib/"});
  EXPECT_TRUE(filter.keep(".", true));
  EXPECT_TRUE(filter.keep("etc", true));
  EXPECT_FALSE(filter.keep("etc", false));
  EXPECT_TRUE(filter.keep("etc/keep", false));
  EXPECT_FALSE(filter.keep("etc/other", false));
  EXPECT_TRUE(filter.keep("usr/lib", true));
  EXPECT_FALSE(filter.keep("usr/lib/x", false));
  filter.add_whitelist({"/usr/lib"});
  EXPECT_FALSE(filter.keep("etc/keep", false));  // every whitelist must allow it
  EXPECT_TRUE(filter.keep("usr/lib", true));
}

}  // namespace
}  // namespace rkt::store

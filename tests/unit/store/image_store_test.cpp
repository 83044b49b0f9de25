#include "store/image_store.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <thread>

#include "store/store_fixture.hpp"
#include "util/digest.hpp"
#include "util/file.hpp"
#include "util/lock_file.hpp"

namespace rkt::store::test {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

/// Bytes that gzip cannot shrink much, so that cutting the compressed file cuts real data.
std::string noise(size_t size, uint32_t seed) {
  std::string out(size, '\0');
  for (auto& c : out) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return out;
}

class ImageStoreTest : public StoreFixture {};

class ImportCompression : public StoreFixture, public ::testing::WithParamInterface<Compression> {};

TEST_P(ImportCompression, IdIsTheSha512OfTheUncompressedTar) {
  auto builder = AciBuilder::simple("example.com/hello", {{"version", "1.0"}, {"os", "linux"}});
  builder.file("rootfs/data", noise(100000, 7));
  auto store = open_store();
  auto info = store.import_aci(write_aci(builder, GetParam()));
  ASSERT_TRUE(info) << info.error().message;

  const std::string tar = builder.tar();
  EXPECT_EQ(info->id, "sha512-" + util::sha512_hex(tar));
  EXPECT_EQ(info->key, info->id.substr(0, 71));
  EXPECT_EQ(info->size, tar.size());
  EXPECT_EQ(info->name, "example.com/hello");
  EXPECT_EQ(info->manifest.name, "example.com/hello");
  EXPECT_THAT(info->labels,
              UnorderedElementsAre(appc::Label{"version", "1.0"}, appc::Label{"os", "linux"}));
  EXPECT_FALSE(info->latest);
  EXPECT_EQ(info->tree_size, 0u);

  const fs::path blob = store.blob_path(info->key);
  EXPECT_EQ(blob, data_dir() / "cas/blob/sha512" / info->key.substr(7, 2) / info->key);
  EXPECT_EQ(*util::read_file(blob), tar);
  EXPECT_EQ(mode_of(blob), 0660u);
  EXPECT_EQ(mode_of(blob.parent_path()), 02770u);
  EXPECT_TRUE(files_under(store.paths().tmp).empty());

  auto again = store.get_by_key(info->key);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->id, info->id);
  EXPECT_EQ(again->manifest_json, info->manifest_json);
}

INSTANTIATE_TEST_SUITE_P(All, ImportCompression,
                         ::testing::Values(Compression::none, Compression::gzip, Compression::bzip2,
                                           Compression::xz, Compression::zstd));

TEST_F(ImageStoreTest, CreatesTheLayoutWithRktModes) {
  auto store = open_store();
  EXPECT_EQ(mode_of(data_dir()), 02750u);
  EXPECT_EQ(mode_of(data_dir() / "cas"), 02770u);
  EXPECT_EQ(mode_of(data_dir() / "cas/db"), 02770u);
  EXPECT_EQ(mode_of(data_dir() / "cas/blob"), 02770u);
  EXPECT_EQ(mode_of(data_dir() / "cas/tmp"), 02770u);
  EXPECT_EQ(mode_of(data_dir() / "cas/tree"), 02700u);
  EXPECT_EQ(mode_of(data_dir() / "cas/db/index.sqlite3"), 0660u);
  // Opening again reuses what exists.
  auto second = ImageStore::open(data_dir());
  ASSERT_TRUE(second) << second.error().message;
}

TEST_F(ImageStoreTest, TrailingDataAfterTheTarIsHashedToo) {
  auto builder = AciBuilder::simple("example.com/trailing");
  const std::string stream = builder.tar() + "trailing bytes";
  const fs::path path = m_dir.path() / "trailing.aci";
  AciBuilder::write_bytes(path, AciBuilder::compress(stream, Compression::gzip));
  auto store = open_store();
  auto info = store.import_aci(path);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->id, "sha512-" + util::sha512_hex(stream));
  EXPECT_EQ(info->size, stream.size());
}

TEST_F(ImageStoreTest, ConcatenatedGzipMembersAreOneStream) {
  auto builder = AciBuilder::simple("example.com/members");
  const std::string tar = builder.tar();
  const size_t half = tar.size() / 2;
  const std::string gz = AciBuilder::compress(tar.substr(0, half), Compression::gzip) +
                         AciBuilder::compress(tar.substr(half), Compression::gzip) +
                         std::string(512, '\0');  // padding after the last member is ignored
  const fs::path path = m_dir.path() / "members.aci";
  AciBuilder::write_bytes(path, gz);
  auto store = open_store();
  auto info = store.import_aci(path);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->id, "sha512-" + util::sha512_hex(tar));
}

TEST_F(ImageStoreTest, ReimportKeepsOneRowAndUpdatesLatest) {
  auto store = open_store();
  const fs::path aci = write_aci(AciBuilder::simple("example.com/re"));
  auto first = store.import_aci(aci);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(store.set_tree_size(first->key, 1234));
  auto second = store.import_aci(aci, {.latest = true});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->key, first->key);
  EXPECT_TRUE(second->latest);
  EXPECT_EQ(second->tree_size, 1234u);
  EXPECT_GE(second->import_time, first->import_time);
  EXPECT_EQ(store.list()->size(), 1u);
  EXPECT_EQ(files_under(store.paths().blob_dir).size(), 1u);
  EXPECT_TRUE(files_under(store.paths().tmp).empty());
}

TEST_F(ImageStoreTest, ImportsFromADownloadTempFile) {
  auto store = open_store();
  auto builder = AciBuilder::simple("example.com/download");
  auto temp = store.create_temp_file();
  ASSERT_TRUE(temp) << temp.error().message;
  const std::string bytes = builder.build(Compression::xz);
  ASSERT_EQ(::write(temp->fd(), bytes.data(), bytes.size()), ssize_t(bytes.size()));
  ASSERT_EQ(::lseek(temp->fd(), 0, SEEK_SET), 0);
  auto info = store.import_aci_fd(temp->fd(), {.latest = true, .source = "https://x/y.aci"});
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->id, "sha512-" + util::sha512_hex(builder.tar()));
  EXPECT_TRUE(info->latest);
}

struct RejectCase {
  std::string label;
  std::string bytes;  // the ACI file
  std::string expected;
};

AciBuilder with_manifest() {
  AciBuilder b;
  b.manifest(rkt::test::image_manifest_json("example.com/bad"));
  return b;
}

std::vector<RejectCase> reject_cases() {
  std::vector<RejectCase> cases;
  auto add = [&](std::string label, const AciBuilder& b, std::string expected) {
    cases.push_back({std::move(label), b.build(Compression::gzip), std::move(expected)});
  };
  cases.push_back({"not an archive", std::string(2000, 'x'), "unknown image filetype"});
  cases.push_back({"empty file", "", "unknown image filetype"});
  cases.push_back({"gzip of text", AciBuilder::compress(std::string(5000, 'y'), Compression::gzip),
                   "unknown image filetype"});

  auto big = AciBuilder::simple("example.com/big");
  big.file("rootfs/noise", noise(400000, 3));
  const std::string gz = big.build(Compression::gzip);
  cases.push_back({"truncated gzip", gz.substr(0, gz.size() / 2), "decompressing"});
  std::string corrupt = gz;
  for (size_t i = gz.size() / 3; i < gz.size() / 3 + 64; ++i)
    corrupt[i] = static_cast<char>(~corrupt[i]);
  cases.push_back({"corrupt gzip", corrupt, "decompressing"});
  const std::string xz = big.build(Compression::xz);
  cases.push_back({"truncated xz", xz.substr(0, xz.size() / 2), "decompressing"});
  const std::string tar = big.tar();
  cases.push_back({"truncated tar", tar.substr(0, tar.size() / 2), "invalid tar"});

  AciBuilder no_manifest;
  no_manifest.dir("rootfs").file("rootfs/a", "a");
  add("no manifest", no_manifest, "image has no manifest");
  add("no rootfs", with_manifest(), "image has no rootfs/");
  add("extra top-level entry", AciBuilder::simple("example.com/x").file("etc/passwd", "x"),
      "etc/passwd: unexpected entry");
  add("absolute path", AciBuilder::simple("example.com/x").file("/etc/passwd", "x"),
      "/etc/passwd: absolute path in image");
  add("dot-dot path", AciBuilder::simple("example.com/x").file("rootfs/../etc", "x"),
      "rootfs/../etc: path escapes the image");
  add("duplicate file", AciBuilder::simple("example.com/x").file("rootfs/etc/hello", "again"),
      "rootfs/etc/hello: duplicate entry");
  add("duplicate manifest", AciBuilder::simple("example.com/x").manifest("{}"),
      "manifest: duplicate entry");
  add("relative symlink escape", AciBuilder::simple("example.com/x").symlink("rootfs/l", "../etc"),
      "rootfs/l: symlink target `../etc` leaves rootfs/");
  add("absolute symlink escape",
      AciBuilder::simple("example.com/x").symlink("rootfs/etc/l", "/../../etc/shadow"),
      "leaves rootfs/");
  add("hard link outside rootfs",
      AciBuilder::simple("example.com/x").hardlink("rootfs/h", "manifest"),
      "rootfs/h: hard link target `manifest` is outside rootfs/");
  add("hard link escape", AciBuilder::simple("example.com/x").hardlink("rootfs/h", "../etc/passwd"),
      "is outside rootfs/");
  AciBuilder manifest_dir;
  manifest_dir.dir("manifest").dir("rootfs");
  add("manifest is a directory", manifest_dir, "manifest/: not a regular file");
  AciBuilder rootfs_file = with_manifest();
  rootfs_file.file("rootfs", "x");
  add("rootfs is a file", rootfs_file, "rootfs: not a directory");
  AciBuilder bad_json;
  bad_json.manifest("{not json").dir("rootfs");
  add("manifest not JSON", bad_json, "manifest:");
  AciBuilder pod_kind;
  pod_kind.manifest(R"({"acKind":"PodManifest","acVersion":"0.8.11","apps":[]})").dir("rootfs");
  add("manifest of the wrong kind", pod_kind, "manifest:");
  AciBuilder huge;
  huge.manifest(std::string(2 << 20, ' ')).dir("rootfs");
  add("manifest too large", huge, "manifest: larger than");
  return cases;
}

TEST_F(ImageStoreTest, RejectionsLeaveNothingBehind) {
  auto store = open_store();
  int index = 0;
  for (const auto& c : reject_cases()) {
    SCOPED_TRACE(c.label);
    const fs::path path = m_dir.path() / fmt::format("reject-{}.aci", index++);
    AciBuilder::write_bytes(path, c.bytes);
    auto result = store.import_aci(path);
    ASSERT_FALSE(result);
    EXPECT_THAT(result.error().message, HasSubstr(c.expected));
    EXPECT_EQ(result.error().message.find('\n'), std::string::npos);
    expect_store_empty(store);
  }
}

TEST_F(ImageStoreTest, AcceptsLinksThatStayInside) {
  auto builder = AciBuilder::simple("example.com/links");
  builder.dir("rootfs/bin")
      .file("rootfs/bin/busybox", "#!")
      .symlink("rootfs/bin/sh", "busybox")
      .symlink("rootfs/bin/abs", "/bin/busybox")
      .symlink("rootfs/bin/up", "../etc/hello")
      .hardlink("rootfs/bin/ls", "rootfs/bin/busybox");
  auto store = open_store();
  auto info = store.import_aci(write_aci(builder, Compression::zstd));
  ASSERT_TRUE(info) << info.error().message;
}

TEST_F(ImageStoreTest, MissingFileIsAClearError) {
  auto store = open_store();
  auto result = store.import_aci(m_dir.path() / "nope.aci");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::not_found);
  EXPECT_THAT(result.error().message, HasSubstr("nope.aci"));
}

/// Two images whose IDs share their first two hex digits.
std::pair<AciBuilder, AciBuilder> colliding_pair() {
  std::map<std::string, AciBuilder> by_prefix;
  for (int n = 0;; ++n) {
    auto b = AciBuilder::simple("example.com/collide");
    b.file("rootfs/n", std::to_string(n));
    std::string prefix = util::sha512_hex(b.tar()).substr(0, 2);
    auto [it, inserted] = by_prefix.emplace(prefix, b);
    if (!inserted) return {it->second, b};
  }
}

TEST_F(ImageStoreTest, ResolvesIdPrefixes) {
  auto store = open_store();
  auto [first, second] = colliding_pair();
  auto a = store.import_aci(write_aci(first, Compression::none, "a"));
  auto b = store.import_aci(write_aci(second, Compression::none, "b"));
  ASSERT_TRUE(a && b);

  const std::string shared = a->id.substr(0, 9);
  auto ambiguous = store.resolve_id_prefix(shared);
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().kind, ErrorKind::conflict);
  EXPECT_THAT(ambiguous.error().message, HasSubstr("ambiguous image ID"));

  size_t distinct = 9;
  while (a->id[distinct - 1] == b->id[distinct - 1]) ++distinct;
  auto unique = store.resolve_id_prefix(a->id.substr(0, distinct));
  ASSERT_TRUE(unique) << unique.error().message;
  EXPECT_EQ(unique->id, a->id);
  EXPECT_EQ(store.resolve_id_prefix(b->id)->id, b->id);
  EXPECT_EQ(store.resolve_id_prefix(b->key)->id, b->id);

  std::string upper = a->id.substr(0, 20);
  for (size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(store.resolve_id_prefix(upper)->id, a->id);

  const char other = a->id[7] == '0' ? '1' : '0';
  auto none = store.resolve_id_prefix(std::string("sha512-") + other + "0000");
  if (!none) {
    EXPECT_EQ(none.error().kind, ErrorKind::not_found);
  }
  EXPECT_EQ(store.resolve_id_prefix("sha512-a").error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(store.resolve_id_prefix("sha512-zz").error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(store.resolve_id_prefix("abcdef").error().kind, ErrorKind::invalid_argument);
}

class FindByName : public StoreFixture {
 protected:
  ImageInfo import(const std::string& version, bool latest, const std::string& extra = "") {
    auto b = AciBuilder::simple("example.com/app", {{"version", version}, {"os", "linux"}});
    b.file("rootfs/extra", extra);
    auto info =
        m_store.import_aci(write_aci(b, Compression::gzip, version + extra), {.latest = latest});
    EXPECT_TRUE(info) << info.error().message;
    return *info;
  }
  std::string find(const appc::Labels& labels, const std::string& name = "example.com/app") {
    auto info = m_store.find_by_name(name, labels);
    return info ? info->id : "error: " + info.error().message;
  }
  ImageStore m_store = open_store();
};

TEST_F(FindByName, PrefersLatestWhenNoVersionIsRequested) {
  auto v1 = import("1.0", false);
  auto v2 = import("2.0", true);
  auto v3 = import("3.0", false);
  EXPECT_EQ(find({}), v2.id);
  EXPECT_EQ(find({{"os", "linux"}}), v2.id);
  EXPECT_EQ(find({{"version", "1.0"}}), v1.id);
  EXPECT_EQ(find({{"version", "3.0"}, {"os", "linux"}}), v3.id);
}

TEST_F(FindByName, NewestImportWinsOtherwise) {
  import("1.0", false);
  auto v2 = import("2.0", false);
  EXPECT_EQ(find({}), v2.id);
  // With a version asked for, `latest` does not matter: the newest import of that version wins.
  import("2.0", true, "a");
  auto v2b = import("2.0", false, "b");
  EXPECT_EQ(find({{"version", "2.0"}}), v2b.id);
}

TEST_F(FindByName, NoMatchIsNotFound) {
  import("1.0", false);
  auto wrong_label = m_store.find_by_name("example.com/app", {{"version", "9"}});
  ASSERT_FALSE(wrong_label);
  EXPECT_EQ(wrong_label.error().kind, ErrorKind::not_found);
  EXPECT_THAT(wrong_label.error().message, HasSubstr("example.com/app,version=9"));
  EXPECT_EQ(m_store.find_by_name("example.com/other", {}).error().kind, ErrorKind::not_found);
}

TEST_F(ImageStoreTest, RemoveDeletesRowBlobAndRemoteRows) {
  auto store = open_store();
  auto info = store.import_aci(write_aci(AciBuilder::simple("example.com/rm")));
  ASSERT_TRUE(info) << info.error().message;
  RemoteInfo remote{.aci_url = "https://example.com/rm.aci",
                    .sig_url = "https://example.com/rm.aci.asc",
                    .etag = "\"abc\"",
                    .blob_key = info->key,
                    .cache_max_age = 60,
                    .download_time = std::chrono::system_clock::now()};
  ASSERT_TRUE(store.put_remote(remote));
  ASSERT_TRUE(store.remove(info->id));
  EXPECT_FALSE(util::path_exists(store.blob_path(info->key)));
  EXPECT_EQ(store.get_by_key(info->key).error().kind, ErrorKind::not_found);
  EXPECT_FALSE(store.get_remote(remote.aci_url)->has_value());
  EXPECT_EQ(store.remove(info->key).error().kind, ErrorKind::not_found);
  expect_store_empty(store);
}

TEST_F(ImageStoreTest, TouchAndTreeSize) {
  auto store = open_store();
  auto info = store.import_aci(write_aci(AciBuilder::simple("example.com/touch")));
  ASSERT_TRUE(info) << info.error().message;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(store.touch_last_used(info->key));
  ASSERT_TRUE(store.set_tree_size(info->key, 4096));
  auto after = store.get_by_key(info->key);
  EXPECT_GT(after->last_used, info->last_used);
  EXPECT_EQ(after->import_time, info->import_time);
  EXPECT_EQ(after->tree_size, 4096u);
  const std::string missing = "sha512-" + std::string(64, 'e');
  EXPECT_EQ(store.touch_last_used(missing).error().kind, ErrorKind::not_found);
  EXPECT_EQ(store.set_tree_size(missing, 1).error().kind, ErrorKind::not_found);
}

TEST_F(ImageStoreTest, OpenBlobReadsTheTarAndRecordsTheUse) {
  auto store = open_store();
  auto builder = AciBuilder::simple("example.com/read");
  auto info = store.import_aci(write_aci(builder, Compression::bzip2));
  ASSERT_TRUE(info) << info.error().message;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto reader = store.lock_image(info->id, util::LockMode::shared);
  ASSERT_TRUE(reader) << reader.error().message;
  auto fd = store.open_blob(info->key);
  ASSERT_TRUE(fd) << fd.error().message;
  std::string content(builder.tar().size() + 10, '\0');
  EXPECT_EQ(::read(fd->get(), content.data(), content.size()), ssize_t(builder.tar().size()));
  content.resize(builder.tar().size());
  EXPECT_EQ(content, builder.tar());
  EXPECT_GT(store.get_by_key(info->key)->last_used, info->last_used);
  EXPECT_FALSE(store.open_blob("sha512-" + std::string(64, 'f')));
}

TEST_F(ImageStoreTest, RemoteCacheRoundTrip) {
  auto store = open_store();
  EXPECT_FALSE(store.get_remote("https://a/b.aci")->has_value());
  const auto time = std::chrono::system_clock::now();
  RemoteInfo remote{.aci_url = "https://a/b.aci",
                    .sig_url = "https://a/b.aci.asc",
                    .etag = "e1",
                    .blob_key = "sha512-" + std::string(64, '1'),
                    .cache_max_age = 300,
                    .download_time = time};
  ASSERT_TRUE(store.put_remote(remote));
  remote.etag = "e2";
  ASSERT_TRUE(store.put_remote(remote));
  auto got = store.get_remote("https://a/b.aci");
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->etag, "e2");
  EXPECT_EQ((*got)->sig_url, remote.sig_url);
  EXPECT_EQ((*got)->blob_key, remote.blob_key);
  EXPECT_EQ((*got)->cache_max_age, 300);
  EXPECT_EQ((*got)->download_time, time);
}

}  // namespace
}  // namespace rkt::store::test

// squash_layers: Docker's stacking rules, one pass over each layer, top layer first.

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "image/docker/layer_squash.hpp"
#include "support/aci_builder.hpp"
#include "support/temp_dir.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace rkt::image::docker {
namespace {

using test::AciBuilder;
using test::Compression;
using ::testing::ElementsAre;

/// One entry of the squashed tar: "f:content", "d:0755", "l:target" or "h:target".
using Entries = std::map<std::string, std::string>;

TarSink to_fd(int fd) {
  return [fd](std::span<const char> block) -> Result<void> {
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
      return Error::from_errno(errno, "write");
    }
    return {};
  };
}

/// Feeds of complete files, named as the files are.
LayerFeeds feeds_of(const std::vector<std::filesystem::path>& paths) {
  LayerFeeds feeds;
  for (const auto& path : paths) {
    auto feed = util::FileFeed::of_file(path, path.filename().string());
    EXPECT_TRUE(feed) << feed.error().message;
    if (feed) feeds.push_back(std::move(*feed));
  }
  return feeds;
}

class LayerSquashTest : public ::testing::Test {
 protected:
  /// Squashes `layers` (bottom first, written gzip-compressed as registries serve them).
  void squash(const std::vector<AciBuilder>& layers) {
    std::vector<std::filesystem::path> paths;
    for (size_t i = 0; i < layers.size(); ++i) {
      paths.push_back(dir.path() / ("layer" + std::to_string(i)));
      layers[i].write(paths.back(), Compression::gzip);
    }
    std::filesystem::path out = dir.path() / "image.tar";
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    auto squashed = squash_layers(feeds_of(paths), R"({"acKind":"ImageManifest"})", to_fd(fd));
    ::close(fd);
    ASSERT_TRUE(squashed) << squashed.error().message;
    read(out);
  }

  void read(const std::filesystem::path& tar) {
    archive* a = archive_read_new();
    archive_read_support_format_tar(a);
    ASSERT_EQ(archive_read_open_filename(a, tar.c_str(), 1 << 16), ARCHIVE_OK);
    archive_entry* entry = nullptr;
    while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
      std::string path = archive_entry_pathname(entry);
      if (path.size() > 1 && path.back() == '/') path.pop_back();  // how tar names directories
      order.push_back(path);
      std::string value;
      if (const char* link = archive_entry_hardlink(entry)) {
        value = std::string("h:") + link;
      } else if (archive_entry_filetype(entry) == AE_IFDIR) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", archive_entry_perm(entry));
        value = std::string("d:") + mode;
      } else if (archive_entry_filetype(entry) == AE_IFLNK) {
        value = std::string("l:") + archive_entry_symlink(entry);
      } else {
        std::string content(static_cast<size_t>(archive_entry_size(entry)), '\0');
        archive_read_data(a, content.data(), content.size());
        value = "f:" + content;
      }
      EXPECT_TRUE(entries.emplace(path, value).second) << "twice: " << path;
    }
    archive_read_free(a);
  }

  util::TempDir dir = test::make_temp_dir();
  Entries entries;
  std::vector<std::string> order;
};

TEST_F(LayerSquashTest, ManifestAndRootfsComeFirst) {
  AciBuilder layer;
  layer.dir("etc").file("etc/motd", "hi");
  squash({layer});
  ASSERT_GE(order.size(), 2u);
  EXPECT_EQ(order[0], "manifest");
  EXPECT_EQ(order[1], "rootfs");
  EXPECT_EQ(entries["rootfs/etc/motd"], "f:hi");
}

TEST_F(LayerSquashTest, UpperEntriesWinAndWhiteoutsDelete) {
  AciBuilder lower;
  lower.dir("a").file("a/keep", "1").file("a/gone", "1");
  lower.dir("d").file("d/old", "1").dir("d/sub").file("d/sub/deep", "1");
  lower.file("over", "lower").dir("srv", 0700);
  AciBuilder upper;
  upper.dir("a").file("a/.wh.gone", "");
  upper.dir("d").file("d/.wh..wh..opq", "").file("d/new", "2");
  upper.file("over", "upper").dir("srv", 0755);
  squash({lower, upper});
  EXPECT_EQ(entries, (Entries{{"manifest", "f:{\"acKind\":\"ImageManifest\"}"},
                              {"rootfs", "d:0755"},
                              {"rootfs/a", "d:0755"},
                              {"rootfs/a/keep", "f:1"},
                              {"rootfs/d", "d:0755"},
                              {"rootfs/d/new", "f:2"},
                              {"rootfs/over", "f:upper"},
                              {"rootfs/srv", "d:0755"}}));
}

TEST_F(LayerSquashTest, AFileOverADirectoryHidesWhatWasBelowIt) {
  AciBuilder lower;
  lower.dir("etc").dir("etc/conf.d").file("etc/conf.d/a", "1");
  AciBuilder upper;
  upper.file("etc/conf.d", "now a file");
  squash({lower, upper});
  EXPECT_EQ(entries["rootfs/etc/conf.d"], "f:now a file");
  EXPECT_EQ(entries.count("rootfs/etc/conf.d/a"), 0u);
  EXPECT_EQ(entries["rootfs/etc"], "d:0755");
}

TEST_F(LayerSquashTest, APathWithEntriesBelowItInAnUpperLayerIsADirectory) {
  AciBuilder lower;
  lower.symlink("lib", "usr/lib").file("etc", "a file");
  AciBuilder upper;  // no entries for the directories themselves
  upper.file("lib/libc.so", "c").file("etc/motd", "hi");
  squash({lower, upper});
  EXPECT_EQ(entries["rootfs/lib/libc.so"], "f:c");
  EXPECT_EQ(entries["rootfs/etc/motd"], "f:hi");
  EXPECT_EQ(entries.count("rootfs/lib"), 0u);
  EXPECT_EQ(entries.count("rootfs/etc"), 0u);
}

TEST_F(LayerSquashTest, TheTopLayerComesFirstEachInItsOwnOrder) {
  AciBuilder bottom;
  bottom.dir("usr").dir("usr/bin").file("usr/bin/sh", "sh").hardlink("usr/bin/ash", "usr/bin/sh");
  AciBuilder top;
  top.dir("usr").dir("usr/bin").file("usr/bin/app", "app");
  squash({bottom, top});
  EXPECT_THAT(order, ElementsAre("manifest", "rootfs", "rootfs/usr", "rootfs/usr/bin",
                                 "rootfs/usr/bin/app", "rootfs/usr/bin/sh", "rootfs/usr/bin/ash"));
  EXPECT_EQ(entries["rootfs/usr/bin/ash"], "h:rootfs/usr/bin/sh");
}

TEST_F(LayerSquashTest, ALinkWhoseOtherNameAnUpperLayerRemovedKeepsItsContent) {
  AciBuilder lower;
  lower.dir("usr").file("usr/perl", "perl 5").hardlink("usr/perl5", "usr/perl");
  lower.hardlink("usr/perl5.36", "usr/perl").file("usr/gone", "g").hardlink("usr/also", "usr/gone");
  AciBuilder upper;
  upper.file("usr/.wh.perl", "").file("usr/gone", "replaced");
  squash({lower, upper});
  EXPECT_EQ(entries.count("rootfs/usr/perl"), 0u);
  EXPECT_EQ(entries["rootfs/usr/perl5"], "f:perl 5");
  EXPECT_EQ(entries["rootfs/usr/perl5.36"], "h:rootfs/usr/perl5");
  EXPECT_EQ(entries["rootfs/usr/gone"], "f:replaced");
  EXPECT_EQ(entries["rootfs/usr/also"], "f:g") << "the lower layer's content, not the upper's";
}

TEST_F(LayerSquashTest, ALinkToNoFileOfItsLayerFailsNamingIt) {
  AciBuilder layer;
  layer.hardlink("usr/dangling", "usr/missing");
  std::filesystem::path path = dir.path() / "sha256-links";
  layer.write(path, Compression::gzip);
  int fd = ::open((dir.path() / "out").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  auto squashed = squash_layers(feeds_of({path}), "{}", to_fd(fd));
  ::close(fd);
  ASSERT_FALSE(squashed);
  EXPECT_THAT(
      squashed.error().message,
      ::testing::HasSubstr("layer sha256-links: hard link `usr/dangling` to `usr/missing`"));
}

TEST_F(LayerSquashTest, ALayerCutShortFailsNamingIt) {
  std::string noise(1 << 20, '\0');
  uint64_t x = 88172645463325252ull;
  for (char& c : noise) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  AciBuilder layer;
  layer.file("lower", noise);
  std::filesystem::path path = dir.path() / "sha256-cut";
  layer.write(path, Compression::gzip);
  std::filesystem::resize_file(path, 100000);
  int fd = ::open((dir.path() / "out").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  auto squashed = squash_layers(feeds_of({path}), "{}", to_fd(fd));
  ::close(fd);
  ASSERT_FALSE(squashed);
  EXPECT_THAT(squashed.error().message, ::testing::HasSubstr("layer sha256-cut: "));
}

TEST_F(LayerSquashTest, ALayerThatIsNotATarFailsNamingIt) {
  std::filesystem::path bad = dir.path() / "sha256-bad";
  AciBuilder::write_bytes(bad, "not a tar at all, not even close to one");
  int fd = ::open((dir.path() / "out").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  auto squashed = squash_layers(feeds_of({bad}), "{}", to_fd(fd));
  ::close(fd);
  ASSERT_FALSE(squashed);
  EXPECT_THAT(squashed.error().message, ::testing::HasSubstr("sha256-bad"));
}

/// A layer "downloading": its bytes copied into `growing` piece by piece, announced to `feed`.
class Arrival {
 public:
  Arrival(const std::filesystem::path& whole, const std::filesystem::path& growing)
      : m_bytes(*util::read_file(whole)),
        m_fd(::open(growing.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)),
        m_path(growing) {
    feed->start(m_fd.get(), 0);
  }
  /// Writes the bytes in pieces of 1000 (all but `hold_back` of them).
  void write(size_t hold_back = 0) {
    while (m_written + hold_back < m_bytes.size()) {
      size_t n = std::min<size_t>(1000, m_bytes.size() - hold_back - m_written);
      ASSERT_EQ(::write(m_fd.get(), m_bytes.data() + m_written, n), static_cast<ssize_t>(n));
      m_written += n;
      feed->grew(m_written);
    }
  }
  void complete() { feed->complete(m_path); }

  std::shared_ptr<util::FileFeed> feed = std::make_shared<util::FileFeed>("sha256-arriving");

 private:
  std::string m_bytes;
  UniqueFd m_fd;
  std::filesystem::path m_path;
  size_t m_written = 0;
};

TEST_F(LayerSquashTest, ALayerIsSquashedAsItArrivesAndCountsOnceItIsWhole) {
  AciBuilder lower;
  lower.file("lower", "from below\n");
  AciBuilder upper;
  upper.dir("big").file("big/file", std::string(300000, 'u')).file("top", "from above\n");
  lower.write(dir.path() / "lower", Compression::gzip);
  upper.write(dir.path() / "upper", Compression::gzip);
  Arrival arriving(dir.path() / "upper", dir.path() / "upper.part");
  LayerFeeds layers = feeds_of({dir.path() / "lower"});
  layers.push_back(arriving.feed);  // the top layer, still downloading

  std::filesystem::path out = dir.path() / "image.tar";
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  Result<void> squashed{};
  std::atomic<bool> done{false};
  std::thread squash([&] {
    squashed = squash_layers(layers, "{}", to_fd(fd));
    done = true;
  });
  arriving.write();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(done) << "every byte is there, but the download is not checked yet";
  arriving.complete();
  squash.join();
  ::close(fd);
  ASSERT_TRUE(squashed) << squashed.error().message;
  read(out);
  EXPECT_EQ(entries["rootfs/top"], "f:from above\n");
  EXPECT_EQ(entries["rootfs/big/file"], "f:" + std::string(300000, 'u'));
  EXPECT_EQ(entries["rootfs/lower"], "f:from below\n");
}

TEST_F(LayerSquashTest, ADownloadThatFailsUnderTheSquashFailsItWithTheDownloadsError) {
  AciBuilder upper;
  upper.file("top", std::string(100000, 't'));
  upper.write(dir.path() / "upper", Compression::gzip);
  Arrival arriving(dir.path() / "upper", dir.path() / "upper.part");
  arriving.write(5000);  // all but the last bytes
  std::thread failing([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    arriving.feed->fail(Error::make(ErrorKind::verification_failed,
                                    "http://registry/blobs/sha256:aa: content has digest x"));
  });
  int fd = ::open((dir.path() / "out").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  auto squashed = squash_layers({arriving.feed}, "{}", to_fd(fd));
  failing.join();
  ::close(fd);
  ASSERT_FALSE(squashed);
  EXPECT_THAT(squashed.error().message, ::testing::HasSubstr("content has digest x"));
}

}  // namespace
}  // namespace rkt::image::docker

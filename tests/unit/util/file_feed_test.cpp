#include "util/file_feed.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "util/unique_fd.hpp"

namespace rkt::util {
namespace {

/// A file in /tmp for the writer, removed with the fixture.
class FileFeedTest : public ::testing::Test {
 protected:
  FileFeedTest() {
    char name[] = "/tmp/rkt-file-feed-XXXXXX";
    fd = UniqueFd(::mkstemp(name));
    path = name;
  }
  ~FileFeedTest() override { ::unlink(path.c_str()); }

  void append(const std::string& bytes) {
    ASSERT_EQ(::write(fd.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }

  /// Everything a reader gets until the end (or "error: <message>").
  static std::string read_all(FileFeed& feed) {
    std::string out;
    char buffer[7];  // small reads: many waits
    while (true) {
      auto n = feed.read_at(out.size(), buffer);
      if (!n) return "error: " + n.error().message;
      if (*n == 0) return out;
      out.append(buffer, *n);
    }
  }

  UniqueFd fd;
  std::string path;
};

TEST_F(FileFeedTest, AReaderGetsTheBytesAsTheyArriveAndTheEndOnlyOnceTheFileIsWhole) {
  FileFeed feed("blob");
  std::string read;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    read = read_all(feed);
    done = true;
  });
  feed.start(fd.get(), 0);
  std::string expected;
  for (int i = 0; i < 50; ++i) {
    std::string piece = "piece " + std::to_string(i) + ";";
    append(piece);
    expected += piece;
    feed.grew(expected.size());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(done) << "every byte is there, but the file is not known to be whole";
  feed.complete(path);
  reader.join();
  EXPECT_EQ(read, expected);
  EXPECT_TRUE(feed.settled());
  EXPECT_TRUE(feed.wait());
}

TEST_F(FileFeedTest, AReaderWaitsForAWholeBufferExceptAtTheEnd) {
  FileFeed feed("blob");
  feed.start(fd.get(), 0);
  append("12345");
  feed.grew(5);
  std::string read;
  std::thread reader([&] {
    char buffer[8];
    auto n = feed.read_at(0, buffer);
    read = n ? std::string(buffer, *n) : "error";
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  append("67");
  feed.grew(7);
  feed.complete(path);  // the end: the last 7 bytes are all there is
  reader.join();
  EXPECT_EQ(read, "1234567");
}

TEST_F(FileFeedTest, AFailureReachesAWaitingReader) {
  FileFeed feed("sha256:abc");
  feed.start(fd.get(), 0);
  append("part");
  feed.grew(4);
  std::string read;
  std::thread reader([&] { read = read_all(feed); });
  feed.fail(Error::make(ErrorKind::verification_failed, "sha256:abc: wrong digest"));
  reader.join();
  EXPECT_EQ(read, "error: sha256:abc: wrong digest");
  EXPECT_FALSE(feed.wait());
  feed.complete(path);  // too late: the first outcome stays
  EXPECT_FALSE(feed.wait());
}

TEST_F(FileFeedTest, BytesKeptFromAnEarlierAttemptAreReadableAtOnce) {
  append("kept");
  FileFeed feed("blob");
  feed.start(fd.get(), 4);
  char buffer[4];
  auto n = feed.read_at(0, buffer);
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(buffer, *n), "kept");
}

TEST_F(FileFeedTest, StartingOverUnderAReaderFailsIt) {
  append("kept bytes");
  FileFeed feed("blob");
  feed.start(fd.get(), 10);
  char buffer[10];
  ASSERT_TRUE(feed.read_at(0, buffer));
  feed.start(fd.get(), 0);  // the server sent the whole file instead of the rest
  auto n = feed.read_at(0, buffer);
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().message.find("started over"), std::string::npos) << n.error().message;
}

TEST_F(FileFeedTest, AFeedOfACompleteFileReadsItToTheEnd) {
  append("all of it");
  auto feed = FileFeed::of_file(path, "blob");
  ASSERT_TRUE(feed);
  EXPECT_EQ(read_all(**feed), "all of it");
  auto missing = FileFeed::of_file(path + ".missing", "gone");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("gone"), std::string::npos);
}

}  // namespace
}  // namespace rkt::util

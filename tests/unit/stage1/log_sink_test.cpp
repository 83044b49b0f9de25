#include "stage1/log_sink.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "util/file.hpp"

namespace rkt::stage1 {
namespace {

std::vector<std::string> feed_all(LineSplitter& splitter, std::vector<std::string> chunks,
                                  bool flush) {
  std::vector<std::string> lines;
  auto emit = [&](std::string_view line) { lines.emplace_back(line); };
  for (const auto& chunk : chunks) splitter.feed(chunk, emit);
  if (flush) splitter.flush(emit);
  return lines;
}

TEST(LineSplitterTest, JoinsPartialLines) {
  LineSplitter splitter;
  EXPECT_EQ(feed_all(splitter, {"a\nb", "c\n", "d"}, false),
            (std::vector<std::string>{"a\n", "bc\n"}));
  EXPECT_EQ(feed_all(splitter, {}, true), (std::vector<std::string>{"d\n"}));
}

TEST(LineSplitterTest, CutsOverlongLines) {
  LineSplitter splitter(4);
  EXPECT_EQ(feed_all(splitter, {"abcdefghij\n"}, false),
            (std::vector<std::string>{"abcd\n", "efgh\n", "ij\n"}));
}

TEST(LineSplitterTest, ALineOfExactlyTheCapacityStaysWhole) {
  LineSplitter splitter(4);
  EXPECT_EQ(feed_all(splitter, {"abcd\n", "abcde\n"}, false),
            (std::vector<std::string>{"abcd\n", "abcd\n", "e\n"}));
}

TEST(LogFileTest, AppendsAndRotatesAtTheLimit) {
  auto dir = test::make_temp_dir();
  auto path = dir.path() / "app";
  ASSERT_TRUE(util::write_file_atomic(path, "old\n"));
  auto log = LogFile::open(path, 10);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->size(), 4u);
  ASSERT_TRUE(log->write("12345\n"));  // 10 bytes: still fits
  ASSERT_TRUE(log->write("x\n"));      // would pass the limit: rotate first
  EXPECT_EQ(*util::read_file(path.string() + ".1"), "old\n12345\n");
  EXPECT_EQ(*util::read_file(path), "x\n");
  ASSERT_TRUE(log->write("0123456789ab\n"));  // longer than the limit: rotates, then written whole
  EXPECT_EQ(*util::read_file(path.string() + ".1"), "x\n");
  EXPECT_EQ(*util::read_file(path), "0123456789ab\n");
}

}  // namespace
}  // namespace rkt::stage1

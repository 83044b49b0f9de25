#include "util/block_broadcast.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace rkt::util {
namespace {

std::string pattern(size_t size) {
  std::string data;
  data.reserve(size);
  for (size_t i = 0; i < size; ++i) data += static_cast<char>(i * 131 % 251);
  return data;
}

/// Everything `reader` yields, up to the end or an error (then "error: <message>").
std::string read_all(const BlockReader& reader, bool slow = false) {
  std::string out;
  while (true) {
    auto block = reader();
    if (!block) return "error: " + block.error().message;
    if (block->empty()) return out;
    out.append(block->data(), block->size());
    if (slow) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

/// Writes `data` in pieces of awkward sizes, then finishes.
Result<void> produce(BlockBroadcast& stream, const std::string& data) {
  for (size_t at = 0, step = 1; at < data.size(); at += step, step = step * 7 % 40000 + 1) {
    RKT_TRY(
        stream.write(std::span<const char>(data).subspan(at, std::min(step, data.size() - at))));
  }
  stream.finish();
  return {};
}

TEST(BlockBroadcast, EveryReaderSeesEveryByteInOrder) {
  const std::string data = pattern(3 << 20);
  BlockBroadcast stream(2, 64 << 10, 4);  // small blocks, a short ring: the producer waits often
  std::string fast, slow;
  std::thread a([&] { fast = read_all(stream.reader(0)); });
  std::thread b([&] { slow = read_all(stream.reader(1), true); });
  EXPECT_TRUE(produce(stream, data));
  a.join();
  b.join();
  EXPECT_EQ(fast.size(), data.size());
  EXPECT_TRUE(fast == data);
  EXPECT_TRUE(slow == data);
}

TEST(BlockBroadcast, AReaderThatLeftIsNotWaitedFor) {
  const std::string data = pattern(1 << 20);
  BlockBroadcast stream(2, 4096, 2);
  stream.leave(1);
  std::string got;
  std::thread a([&] { got = read_all(stream.reader(0)); });
  EXPECT_TRUE(produce(stream, data));
  a.join();
  EXPECT_TRUE(got == data);
}

TEST(BlockBroadcast, TheProducerStopsOnceEveryReaderLeft) {
  BlockBroadcast stream(1, 4096, 2);
  std::thread a([&] {
    auto first = stream.reader(0)();
    EXPECT_TRUE(first);
    stream.leave(0);
  });
  auto written = produce(stream, pattern(1 << 20));
  a.join();
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().message, "every reader of the stream left");
}

TEST(BlockBroadcast, TheProducersFailureReachesTheReaders) {
  BlockBroadcast stream(1);
  std::string got;
  std::thread a([&] { got = read_all(stream.reader(0)); });
  EXPECT_TRUE(stream.write(std::span<const char>("abc", 3)));
  stream.finish(Error::make(ErrorKind::invalid_argument, "layer 2: truncated"));
  a.join();
  EXPECT_EQ(got, "error: layer 2: truncated");
}

}  // namespace
}  // namespace rkt::util

#include "store/decompressor.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/aci_builder.hpp"
#include "support/temp_dir.hpp"
#include "util/unique_fd.hpp"

namespace rkt::store {
namespace {

using rkt::test::AciBuilder;
using TestCompression = rkt::test::Compression;

std::string noise(size_t size) {
  std::string out(size, '\0');
  uint32_t seed = 42;
  for (auto& c : out) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return out;
}

class DecompressorTest : public ::testing::Test {
 protected:
  /// Decompresses `bytes` through a file, or returns the error message.
  std::string roundtrip(const std::string& bytes, StreamCompression* detected = nullptr) {
    const auto path = m_dir.path() / "input";
    AciBuilder::write_bytes(path, bytes);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    auto source = Decompressor::open(fd.get(), "input");
    if (!source) return "error: " + source.error().message;
    if (detected) *detected = (*source)->compression();
    std::string out;
    while (true) {
      auto block = (*source)->next();
      if (!block) return "error: " + block.error().message;
      if (block->empty()) break;
      out.append(block->data(), block->size());
    }
    return out;
  }
  util::TempDir m_dir = rkt::test::make_temp_dir();
};

TEST_F(DecompressorTest, DetectsAndDecompressesEachFormat) {
  const std::string data = noise(3 << 20) + std::string(1 << 20, 'z');
  const std::pair<TestCompression, StreamCompression> formats[] = {
      {TestCompression::none, StreamCompression::none},
      {TestCompression::gzip, StreamCompression::gzip},
      {TestCompression::bzip2, StreamCompression::bzip2},
      {TestCompression::xz, StreamCompression::xz},
      {TestCompression::zstd, StreamCompression::zstd},
  };
  for (const auto& [written, expected] : formats) {
    SCOPED_TRACE(static_cast<int>(expected));
    StreamCompression detected{};
    EXPECT_EQ(roundtrip(AciBuilder::compress(data, written), &detected), data);
    EXPECT_EQ(detected, expected);
  }
}

TEST_F(DecompressorTest, EmptyInputIsEmptyOutput) {
  EXPECT_EQ(roundtrip(""), "");
}

TEST_F(DecompressorTest, GzipChecksumIsVerified) {
  std::string gz = AciBuilder::compress(noise(100000), TestCompression::gzip);
  gz[gz.size() - 6] = static_cast<char>(~gz[gz.size() - 6]);  // inside the CRC-32 trailer
  EXPECT_EQ(roundtrip(gz), "error: decompressing input: incorrect data check");
}

TEST_F(DecompressorTest, TruncationIsAnError) {
  for (auto c : {TestCompression::gzip, TestCompression::bzip2, TestCompression::xz,
                 TestCompression::zstd}) {
    SCOPED_TRACE(static_cast<int>(c));
    std::string bytes = AciBuilder::compress(noise(200000), c);
    std::string result = roundtrip(bytes.substr(0, bytes.size() / 2));
    EXPECT_EQ(result.rfind("error: decompressing input: ", 0), 0u) << result.substr(0, 80);
  }
}

TEST(DetectCompression, ByMagic) {
  auto detect = [](std::string_view head) { return detect_compression(head); };
  EXPECT_EQ(detect("\x1f\x8b\x08"), StreamCompression::gzip);
  EXPECT_EQ(detect("BZh91AY"), StreamCompression::bzip2);
  EXPECT_EQ(detect(std::string_view("\xfd"
                                    "7zXZ\0",
                                    6)),
            StreamCompression::xz);
  EXPECT_EQ(detect("\x28\xb5\x2f\xfd"), StreamCompression::zstd);
  EXPECT_EQ(detect("manifest"), StreamCompression::none);
  EXPECT_EQ(detect(""), StreamCompression::none);
}

}  // namespace
}  // namespace rkt::store

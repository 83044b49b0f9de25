#include "util/digest.hpp"

#include <gtest/gtest.h>
#include <link.h>

#include <string>

#include "util/bulk_sha512.hpp"

namespace rkt::util {
namespace {

// FIPS 180-2's "abc" vectors.
constexpr const char* k_abc_sha512 =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
constexpr const char* k_abc_sha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

bool libcrypto_loaded() {
  bool found = false;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        if (std::string(info->dlpi_name).find("libcrypto.so") != std::string::npos) {
          *static_cast<bool*>(data) = true;
        }
        return 0;
      },
      &found);
  return found;
}

TEST(Digest, KnownVectors) {
  EXPECT_EQ(sha512_hex("abc"), k_abc_sha512);
  EXPECT_EQ(sha256_hex("abc"), k_abc_sha256);
}

TEST(Digest, TheBulkSha512IsLibcryptosAndAgreesWithNettles) {
  Digest bulk = bulk_sha512();
  EXPECT_TRUE(libcrypto_loaded()) << "libcrypto.so.3 is on this machine (libssl3)";
  Digest plain(DigestAlgorithm::sha512);
  // Pieces of awkward sizes, across the 128-byte blocks.
  std::string data;
  for (size_t i = 0; i < 300000; ++i) data += static_cast<char>(i * 131 % 251);
  for (size_t at = 0, step = 1; at < data.size(); at += step, step = step * 3 % 1021 + 1) {
    std::string_view piece = std::string_view(data).substr(at, step);
    bulk.update(piece);
    plain.update(piece);
  }
  EXPECT_EQ(bulk.hex(), plain.hex());
  Digest abc = bulk_sha512();
  abc.update("abc");
  EXPECT_EQ(abc.hex(), k_abc_sha512);
}

}  // namespace
}  // namespace rkt::util

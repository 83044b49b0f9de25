#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace rkt::util {

enum class DigestAlgorithm { sha256, sha512 };

/// Length of the lowercase hex of a digest.
constexpr size_t hex_size(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::sha512 ? 128 : 64;
}

/// A SHA-512 implementation other than nettle's, as plain functions over an opaque context of
/// `context_size` bytes (see bulk_sha512.hpp).
struct Sha512Functions {
  size_t context_size;
  void (*init)(void* context);
  void (*update)(void* context, const void* data, size_t size);
  void (*finish)(void* context, unsigned char* digest);  // 64 bytes
};

/// Streaming message digest (nettle, or the given SHA-512 functions); hex() finishes it.
class Digest {
 public:
  explicit Digest(DigestAlgorithm algorithm);
  explicit Digest(const Sha512Functions& sha512);
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  ~Digest();

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  /// Lowercase hex of the digest; the object can't be updated afterwards.
  std::string hex();

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

std::string sha512_hex(std::string_view data);
std::string sha256_hex(std::string_view data);
/// Hex digest of a file's content.
Result<std::string> file_digest_hex(const std::string& path, DigestAlgorithm algorithm);

}  // namespace rkt::util

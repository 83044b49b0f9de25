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

/// Streaming message digest (nettle); hex() finishes it.
class Digest {
 public:
  explicit Digest(DigestAlgorithm algorithm);
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

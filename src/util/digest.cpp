#include "util/digest.hpp"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <unistd.h>

#include <array>
#include <variant>

#include "util/unique_fd.hpp"

namespace rkt::util {

// Nettle rather than OpenSSL: the digests are all rkt needs of a crypto library, and OpenSSL's
// start-up (symbol binding of libcrypto, provider initialisation at the first digest) cost ~6 ms
// of every rkt command. Long streams may bring a faster SHA-512 of their own (bulk_sha512.hpp).
struct ExternalSha512 {
  const Sha512Functions* functions;
  std::unique_ptr<uint64_t[]> context;  // aligned for any of the implementations' fields
};

struct Digest::State {
  std::variant<sha256_ctx, sha512_ctx, ExternalSha512> ctx;
};

Digest::Digest(DigestAlgorithm algorithm) : m_state(std::make_unique<State>()) {
  if (algorithm == DigestAlgorithm::sha512) {
    sha512_init(&m_state->ctx.emplace<sha512_ctx>());
  } else {
    sha256_init(&m_state->ctx.emplace<sha256_ctx>());
  }
}
Digest::Digest(const Sha512Functions& sha512) : m_state(std::make_unique<State>()) {
  size_t words = (sha512.context_size + sizeof(uint64_t) - 1) / sizeof(uint64_t);
  auto& external = m_state->ctx.emplace<ExternalSha512>(
      ExternalSha512{&sha512, std::make_unique<uint64_t[]>(words)});
  sha512.init(external.context.get());
}
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;
Digest::~Digest() = default;

void Digest::update(const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  if (auto* ctx = std::get_if<sha512_ctx>(&m_state->ctx)) {
    sha512_update(ctx, size, bytes);
  } else if (auto* external = std::get_if<ExternalSha512>(&m_state->ctx)) {
    external->functions->update(external->context.get(), data, size);
  } else {
    sha256_update(&std::get<sha256_ctx>(m_state->ctx), size, bytes);
  }
}

std::string Digest::hex() {
  std::array<uint8_t, SHA512_DIGEST_SIZE> raw{};
  size_t length = 0;
  if (auto* ctx = std::get_if<sha512_ctx>(&m_state->ctx)) {
    length = SHA512_DIGEST_SIZE;
    sha512_digest(ctx, length, raw.data());
  } else if (auto* external = std::get_if<ExternalSha512>(&m_state->ctx)) {
    length = SHA512_DIGEST_SIZE;
    external->functions->finish(external->context.get(), raw.data());
  } else {
    length = SHA256_DIGEST_SIZE;
    sha256_digest(&std::get<sha256_ctx>(m_state->ctx), length, raw.data());
  }
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (size_t i = 0; i < length; ++i) {
    out += k_digits[raw[i] >> 4];
    out += k_digits[raw[i] & 0xf];
  }
  return out;
}

std::string sha512_hex(std::string_view data) {
  Digest d(DigestAlgorithm::sha512);
  d.update(data);
  return d.hex();
}

std::string sha256_hex(std::string_view data) {
  Digest d(DigestAlgorithm::sha256);
  d.update(data);
  return d.hex();
}

Result<std::string> file_digest_hex(const std::string& path, DigestAlgorithm algorithm) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", path);
  Digest d(algorithm);
  std::array<char, 1 << 16> buffer;
  while (true) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "read `{}`", path);
    if (n == 0) break;
    d.update(buffer.data(), static_cast<size_t>(n));
  }
  return d.hex();
}

}  // namespace rkt::util

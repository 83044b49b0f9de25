#include "util/digest.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>

#include "util/unique_fd.hpp"

namespace rkt::util {

void Digest::CtxDeleter::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }

Digest::Digest(DigestAlgorithm algorithm) : m_ctx(EVP_MD_CTX_new()) {
  const EVP_MD* md = algorithm == DigestAlgorithm::sha512 ? EVP_sha512() : EVP_sha256();
  EVP_DigestInit_ex(m_ctx.get(), md, nullptr);
}
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;
Digest::~Digest() = default;

void Digest::update(const void* data, size_t size) { EVP_DigestUpdate(m_ctx.get(), data, size); }

std::string Digest::hex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> raw{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(m_ctx.get(), raw.data(), &length);
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
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

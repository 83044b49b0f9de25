#include "mds/hmac.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>

#include <cerrno>

namespace rkt::mds {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string digest(const HmacKey& key, const UuidBytes& uuid, std::string_view content) {
  std::string message(reinterpret_cast<const char*>(uuid.data()), uuid.size());
  message.append(content);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  ::HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

}  // namespace

Result<HmacKey> make_hmac_key() {
  HmacKey key{};
  size_t done = 0;
  while (done < key.size()) {
    ssize_t n = ::getrandom(key.data() + done, key.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "getrandom");
    done += static_cast<size_t>(n);
  }
  return key;
}

std::optional<UuidBytes> parse_uuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  UuidBytes bytes{};
  size_t out = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int high = hex_value(text[i]);
    int low = hex_value(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes[out++] = static_cast<uint8_t>(high * 16 + low);
    i += 2;
  }
  return bytes;
}

std::string sign(const HmacKey& key, const UuidBytes& uuid, std::string_view content) {
  return base64_encode(digest(key, uuid, content));
}

std::optional<bool> verify(const HmacKey& key, const UuidBytes& uuid, std::string_view content,
                           std::string_view signature_base64) {
  auto signature = base64_decode(signature_base64);
  if (!signature) return std::nullopt;
  std::string expected = digest(key, uuid, content);
  return signature->size() == expected.size() &&
         CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) == 0;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = ::EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  int n = ::EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

}  // namespace rkt::mds

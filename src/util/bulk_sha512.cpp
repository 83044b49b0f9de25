#include "util/bulk_sha512.hpp"

// The SHA512_* functions are deprecated in OpenSSL 3 in favour of EVP, whose provider lookup and
// context allocation a single long stream does not need.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <dlfcn.h>
#include <openssl/sha.h>

#include <mutex>

namespace rkt::util {

namespace {

constexpr const char* k_soname = "libcrypto.so.3";

struct Libcrypto {
  decltype(&SHA512_Init) init;
  decltype(&SHA512_Update) update;
  decltype(&SHA512_Final) final;
};

const Libcrypto* g_libcrypto = nullptr;

/// libcrypto's SHA-512 functions, or nullptr; dlopen'ed once per process, never closed.
const Libcrypto* load_libcrypto() {
  static std::once_flag once;
  static Libcrypto functions;
  std::call_once(once, [] {
    void* library = ::dlopen(k_soname, RTLD_NOW | RTLD_LOCAL);
    if (!library) return;
    functions.init = reinterpret_cast<decltype(&SHA512_Init)>(::dlsym(library, "SHA512_Init"));
    functions.update =
        reinterpret_cast<decltype(&SHA512_Update)>(::dlsym(library, "SHA512_Update"));
    functions.final = reinterpret_cast<decltype(&SHA512_Final)>(::dlsym(library, "SHA512_Final"));
    if (functions.init && functions.update && functions.final) g_libcrypto = &functions;
  });
  return g_libcrypto;
}

void init(void* context) {
  g_libcrypto->init(static_cast<SHA512_CTX*>(context));
}
void update(void* context, const void* data, size_t size) {
  g_libcrypto->update(static_cast<SHA512_CTX*>(context), data, size);
}
void finish(void* context, unsigned char* digest) {
  g_libcrypto->final(digest, static_cast<SHA512_CTX*>(context));
}

const Sha512Functions k_libcrypto_sha512{sizeof(SHA512_CTX), init, update, finish};

}  // namespace

Digest bulk_sha512() {
  if (load_libcrypto()) return Digest(k_libcrypto_sha512);
  return Digest(DigestAlgorithm::sha512);
}

}  // namespace rkt::util

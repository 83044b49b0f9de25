#pragma once

#include "util/digest.hpp"

namespace rkt::util {

/// A SHA-512 digest for large streams (the image ID of a blob being imported): OpenSSL's, from
/// libcrypto.so.3 loaded on first use, which hashes ~1.5x as fast as nettle's on x86-64 (its
/// AVX2 code); nettle's where libcrypto cannot be loaded. Not for the small digests every command
/// computes: loading libcrypto costs about a millisecond (nothing when libcurl loaded it already).
Digest bulk_sha512();

}  // namespace rkt::util

#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "trust/keystore.hpp"
#include "util/result.hpp"

namespace rkt::trust {

/// Who made a signature that checked out.
struct VerifiedSignature {
  std::string fingerprint;              // primary key, 40 lowercase hex
  std::vector<std::string> identities;  // the key's user IDs, for "signature verified:"
};

/// Checks a detached OpenPGP signature (ASCII-armored or binary) over the file at `data_path`,
/// accepting only signatures by one of `keys`. The file is streamed, never loaded whole. A
/// signature that does not check out is ErrorKind::verification_failed; I/O errors keep their kind.
Result<VerifiedSignature> verify_detached(const std::vector<TrustedKey>& keys,
                                          const std::filesystem::path& data_path,
                                          std::string_view signature);

/// Same, over the data read from `data_fd` from its current offset to EOF (the fd stays open).
Result<VerifiedSignature> verify_detached_fd(const std::vector<TrustedKey>& keys, int data_fd,
                                             std::string_view signature);

}  // namespace rkt::trust

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::trust {

/// One OpenPGP public key as rkt shows and stores it.
struct PublicKeyInfo {
  std::string fingerprint;              // primary key, 40 lowercase hex
  std::vector<std::string> identities;  // "Name (comment) <email>"
  std::string armored;                  // the key re-exported by gpg, ASCII-armored
};

/// Parses an armored or binary public key; exactly one primary key (with its subkeys) is allowed,
/// and secret keys are refused so they never end up in a world-readable keystore.
Result<PublicKeyInfo> inspect_public_key(std::string_view key_data);

/// "BFF3 13CD AA56 0B16 A898  7B8F 72AB F5F6 799D 33BC": groups of four uppercase hex digits with a
/// double space between the two halves, exactly as `rkt trust` prints it. Input of any other length
/// is printed in groups of four without the middle gap.
std::string format_fingerprint(std::string_view fingerprint);

/// Whether `text` is a 40-digit lowercase hex fingerprint (a keystore file name).
bool is_fingerprint(std::string_view text);

}  // namespace rkt::trust

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "image/fetch_context.hpp"
#include "trust/openpgp_key.hpp"

namespace rkt::image {

/// A public key from a file path or an https:// URL; http:// only when `allow_http` (trust's
/// --insecure-allow-http, the pubkey insecure option). Checked to be exactly one public key.
Result<trust::PublicKeyInfo> fetch_public_key(const HttpClient& client, std::string_view location,
                                              bool allow_http);

/// rkt's key display before trusting: prefix (unless empty: root), key location, fingerprint in
/// rkt's groups, and the key's identities, on stderr.
void print_key(std::string_view prefix, std::string_view location,
               const trust::PublicKeyInfo& key);

/// rkt fetch with --trust-keys-from-https: when no key is trusted for `name` yet, trusts the keys
/// discovery announced for it (https only, http with the pubkey insecure option), printing each.
Result<void> trust_discovered_keys(const FetchContext& context, std::string_view name,
                                   const std::vector<std::string>& key_urls);

}  // namespace rkt::image

#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::trust {

/// The two `trustedkeys` directories: the vendor's (e.g. /usr/lib/rkt/trustedkeys) and the
/// administrator's (e.g. /etc/rkt/trustedkeys), which wins.
struct KeystoreConfig {
  std::filesystem::path system_dir;
  std::filesystem::path local_dir;
};

/// A key file that applies to an image name.
struct TrustedKey {
  std::filesystem::path path;
  std::string fingerprint;  // 40 lowercase hex, equal to the file name
  std::string armored;      // the file's contents
};

/// rkt's keystore: `root.d/<fingerprint>` trusts a key for every image,
/// `prefix.d/<prefix>/<fingerprint>` for images named <prefix> or below it.
class Keystore {
 public:
  explicit Keystore(KeystoreConfig config) : m_config(std::move(config)) {}

  /// The keys trusted for `image_name`: root.d plus prefix.d/<c1>, prefix.d/<c1>/<c2>, ... down to
  /// prefix.d/<image_name>, in both directories. A local file replaces a system file of the same
  /// fingerprint; an empty local file masks that fingerprint. Every key file is checked to hold
  /// exactly one key whose fingerprint is its name.
  Result<std::vector<TrustedKey>> keys_for_name(std::string_view image_name) const;
  /// Whether any (unmasked) key file applies to `image_name`; looks at file names only.
  Result<bool> has_keys_for(std::string_view image_name) const;
  /// Stores a public key as local prefix.d/<prefix>/<fingerprint>; returns that path.
  Result<std::filesystem::path> store_trusted_key_prefix(std::string_view prefix,
                                                         std::string_view key_data) const;
  /// Stores a public key as local root.d/<fingerprint>, trusted for all images; returns that path.
  Result<std::filesystem::path> store_trusted_key_root(std::string_view key_data) const;

  const KeystoreConfig& config() const { return m_config; }

 private:
  Result<std::filesystem::path> store_key(const std::filesystem::path& dir,
                                          std::string_view key_data) const;

  KeystoreConfig m_config;
};

/// Checks a trust prefix or image name: no URL scheme (rkt's "--prefix must not contain a URL
/// scheme, omit https://"), and AC identifier syntax, which also rules out "..", "/x" and "x//y".
Result<void> validate_prefix(std::string_view prefix);

}  // namespace rkt::trust

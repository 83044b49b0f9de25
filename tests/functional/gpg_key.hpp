#pragma once

// An OpenPGP signing key made for one test with the gpg command line, in a throw-away GNUPGHOME.

#include <filesystem>
#include <string>

namespace rkt::functional {

namespace fs = std::filesystem;

enum class KeyAlgorithm { ed25519, rsa2048 };

/// Where GpgKey homes live (/tmp/rkt-gpg-XXXXXX), to tell our gpg-agents from rkt's.
inline constexpr const char* k_gpg_home_prefix = "/tmp/rkt-gpg-";

class GpgKey {
 public:
  explicit GpgKey(std::string user_id = "rkt functional test <test@example.com>",
                  KeyAlgorithm algorithm = KeyAlgorithm::ed25519);
  GpgKey(const GpgKey&) = delete;
  GpgKey& operator=(const GpgKey&) = delete;
  /// Stops the gpg-agent of the temporary home and removes it.
  ~GpgKey();

  /// 40 lowercase hex digits of the primary key, as rkt names trusted key files.
  const std::string& fingerprint() const { return m_fingerprint; }
  const std::string& user_id() const { return m_user_id; }
  /// The armored public key (a file inside the temporary home, readable by everyone).
  const fs::path& public_key() const { return m_public_key; }
  /// Writes an armored detached signature of `file` to `signature` (default: `file` + ".asc").
  fs::path sign(const fs::path& file, fs::path signature = {}) const;

 private:
  std::string run_gpg(std::initializer_list<std::string> args) const;
  fs::path m_home;
  std::string m_user_id;
  std::string m_fingerprint;
  fs::path m_public_key;
};

}  // namespace rkt::functional

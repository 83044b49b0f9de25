#pragma once

#include <gpgme.h>

#include <string>
#include <string_view>
#include <vector>

#include "util/file.hpp"
#include "util/result.hpp"

namespace rkt::trust {

/// What gpg reports about one public key.
struct GpgKeyDetails {
  std::string fingerprint;                       // primary key, 40 lowercase hex
  std::vector<std::string> subkey_fingerprints;  // lowercase, primary excluded
  std::vector<std::string> identities;           // "Name (comment) <email>"
  bool revoked = false;
  bool expired = false;
};

/// What gpg imported from one chunk of key material.
struct GpgImport {
  std::vector<std::string> fingerprints;  // distinct primary keys, lowercase, in input order
  int secret_keys = 0;                    // secret keys present in the input
};

/// The outcome for one signature of a detached signature file, copied out of gpgme.
struct GpgSignatureCheck {
  std::string fingerprint;  // signing (sub)key fingerprint or key id, lowercase
  gpgme_err_code_t status = GPG_ERR_NO_ERROR;
  unsigned summary = 0;  // gpgme_sigsum_t bits
};

/// A gpgme context bound to a private, throw-away GNUPGHOME, so the user's own keyring is never
/// read or written. Only public-key operations are offered: none of them needs gpg-agent, and the
/// home's gpg.conf forbids starting one.
class GpgSession {
 public:
  static Result<GpgSession> create();
  GpgSession(GpgSession&& other) noexcept;
  GpgSession& operator=(GpgSession&&) = delete;
  ~GpgSession();

  /// Imports public keys (armored or binary) into the session keyring.
  Result<GpgImport> import_keys(std::string_view key_data);
  /// Looks up an imported key by the fingerprint of its primary key or of any subkey.
  Result<GpgKeyDetails> key_details(std::string_view fingerprint);
  /// The key with this primary fingerprint, ASCII-armored.
  Result<std::string> export_armored(std::string_view fingerprint);
  /// Checks a detached signature over the data read from `data_fd` (from its current offset).
  Result<std::vector<GpgSignatureCheck>> verify_detached(int data_fd, std::string_view signature);

 private:
  GpgSession(util::TempDir home, gpgme_ctx_t ctx) : m_home(std::move(home)), m_ctx(ctx) {}
  /// Waits until the gpg of the last operation has let go of the home.
  void wait_for_gpg_exit() const;
  /// Stops a stray gpg-agent and removes gpg's per-home socket directory, if any.
  void clean_up_gpg_runtime() const;

  util::TempDir m_home;
  gpgme_ctx_t m_ctx = nullptr;
};

/// gpgme's text for an error ("Bad signature"), thread-safe.
std::string gpgme_message(gpgme_error_t err);

/// "<what>: <gpgme's message>" with the given kind.
Error gpgme_failure(ErrorKind kind, gpgme_error_t err, std::string_view what);

}  // namespace rkt::trust

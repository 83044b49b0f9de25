#include "trust/signature_verifier.hpp"

#include <fcntl.h>

#include <algorithm>
#include <optional>
#include <variant>

#include "trust/gpg_session.hpp"
#include "trust/openpgp_key.hpp"
#include "util/strings.hpp"
#include "util/unique_fd.hpp"

namespace rkt::trust {

namespace {

/// Why a signature was not accepted, most telling first: when a file carries several signatures
/// the user hears about the worst problem.
enum class Rejection {
  bad_signature,
  key_revoked,
  key_expired,
  signature_expired,
  untrusted,
  other
};

struct RejectedSignature {
  Rejection reason = Rejection::other;
  std::string message;
};

std::string show_key(std::string_view fingerprint) {
  if (fingerprint.empty()) return "(unknown key)";
  return format_fingerprint(fingerprint);
}

RejectedSignature reject(Rejection reason, std::string_view fingerprint) {
  std::string key = show_key(fingerprint);
  switch (reason) {
    case Rejection::bad_signature:
      return {reason, fmt::format("bad signature by key {}: the signature does not match the file "
                                  "(the file was modified or the signature is for another file)",
                                  key)};
    case Rejection::key_revoked:
      return {reason, fmt::format("signed by key {} which has been revoked", key)};
    case Rejection::key_expired:
      return {reason, fmt::format("signed by key {} which has expired", key)};
    case Rejection::signature_expired:
      return {reason, fmt::format("the signature by key {} has expired", key)};
    case Rejection::untrusted:
      return {reason,
              fmt::format("no valid signatures found: signed by key {} which is not trusted "
                          "for this image (see `rkt trust`)",
                          key)};
    case Rejection::other:
      break;
  }
  return {reason, fmt::format("signature by key {} could not be checked", key)};
}

/// Fails unless every key in `wanted` is among the fingerprints gpg imported.
Result<void> check_imported(const std::vector<const TrustedKey*>& wanted, const GpgImport& import) {
  for (const TrustedKey* key : wanted) {
    const auto& got = import.fingerprints;
    if (std::find(got.begin(), got.end(), key->fingerprint) == got.end()) {
      return Error::make(ErrorKind::invalid_argument,
                         "trusted key `{}` does not hold key {} (corrupt key file?)",
                         key->path.string(), key->fingerprint);
    }
  }
  return {};
}

/// Imports the trusted keys: all armored ones in one gpg run, binary ones one by one (binary
/// keyrings cannot be concatenated with armored text).
Result<void> import_trusted_keys(GpgSession& session, const std::vector<TrustedKey>& keys) {
  std::string armored;
  std::vector<const TrustedKey*> armored_keys;
  for (const TrustedKey& key : keys) {
    if (util::starts_with(util::trim(key.armored), "-----BEGIN ")) {
      armored += key.armored;
      armored += '\n';
      armored_keys.push_back(&key);
      continue;
    }
    auto imported = session.import_keys(key.armored);
    if (!imported) return std::move(imported).error().wrap("trusted key `{}`", key.path.string());
    RKT_TRY(check_imported({&key}, *imported));
  }
  if (armored.empty()) return {};
  auto imported = session.import_keys(armored);
  if (!imported) return std::move(imported).error().wrap("importing trusted keys");
  return check_imported(armored_keys, *imported);
}

Rejection rejection_for(gpgme_err_code_t status) {
  switch (status) {
    case GPG_ERR_BAD_SIGNATURE:
      return Rejection::bad_signature;
    case GPG_ERR_CERT_REVOKED:
      return Rejection::key_revoked;
    case GPG_ERR_KEY_EXPIRED:
      return Rejection::key_expired;
    case GPG_ERR_SIG_EXPIRED:
      return Rejection::signature_expired;
    case GPG_ERR_NO_PUBKEY:
      return Rejection::untrusted;
    default:
      return Rejection::other;
  }
}

/// A signature gpg calls good is accepted only if its primary key is one of `keys` and is neither
/// revoked nor expired. gpg's own validity of the key is "unknown" in a fresh keyring and is
/// deliberately ignored: being in the keystore is what makes a key trusted.
std::variant<VerifiedSignature, RejectedSignature> check_good_signature(
    GpgSession& session, const std::vector<TrustedKey>& keys, const GpgSignatureCheck& check) {
  auto details = session.key_details(check.fingerprint);
  if (!details) {
    return RejectedSignature{
        Rejection::other, fmt::format("good signature by key {}, but looking the key up failed: {}",
                                      show_key(check.fingerprint), details.error().message)};
  }
  bool trusted = std::any_of(keys.begin(), keys.end(), [&](const TrustedKey& key) {
    return key.fingerprint == details->fingerprint;
  });
  if (details->revoked || (check.summary & GPGME_SIGSUM_KEY_REVOKED)) {
    return reject(Rejection::key_revoked, details->fingerprint);
  }
  if (details->expired || (check.summary & GPGME_SIGSUM_KEY_EXPIRED)) {
    return reject(Rejection::key_expired, details->fingerprint);
  }
  if (check.summary & GPGME_SIGSUM_SIG_EXPIRED) {
    return reject(Rejection::signature_expired, details->fingerprint);
  }
  if (!trusted) return reject(Rejection::untrusted, details->fingerprint);
  return VerifiedSignature{details->fingerprint, details->identities};
}

}  // namespace

Result<VerifiedSignature> verify_detached_fd(const std::vector<TrustedKey>& keys, int data_fd,
                                             std::string_view signature) {
  if (keys.empty()) {
    return Error::make(ErrorKind::verification_failed,
                       "no trusted keys to check the signature with; trust the signer's key with "
                       "`rkt trust --prefix <image-name-prefix>`");
  }
  RKT_TRY_ASSIGN(GpgSession session, GpgSession::create());
  RKT_TRY(import_trusted_keys(session, keys));
  RKT_TRY_ASSIGN(std::vector<GpgSignatureCheck> checks,
                 session.verify_detached(data_fd, signature));
  if (checks.empty()) {
    return Error::make(ErrorKind::verification_failed,
                       "no valid signatures found in signature file (not an OpenPGP signature)");
  }
  std::optional<RejectedSignature> worst;
  for (const GpgSignatureCheck& check : checks) {
    RejectedSignature rejected = reject(rejection_for(check.status), check.fingerprint);
    if (rejected.reason == Rejection::other) {
      rejected.message += fmt::format(" (gpg: {})", gpgme_message(check.status));
    }
    if (check.status == GPG_ERR_NO_ERROR) {
      auto outcome = check_good_signature(session, keys, check);
      if (auto* verified = std::get_if<VerifiedSignature>(&outcome)) return std::move(*verified);
      rejected = std::get<RejectedSignature>(std::move(outcome));
    }
    if (!worst || rejected.reason < worst->reason) worst = std::move(rejected);
  }
  return Error{ErrorKind::verification_failed, 0, worst->message};
}

Result<VerifiedSignature> verify_detached(const std::vector<TrustedKey>& keys,
                                          const std::filesystem::path& data_path,
                                          std::string_view signature) {
  UniqueFd fd(::open(data_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", data_path.string());
  return verify_detached_fd(keys, fd.get(), signature);
}

}  // namespace rkt::trust

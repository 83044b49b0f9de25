#include "trust/openpgp_key.hpp"

#include <cctype>

#include "trust/gpg_session.hpp"
#include "util/strings.hpp"

namespace rkt::trust {

Result<PublicKeyInfo> inspect_public_key(std::string_view key_data) {
  if (util::trim(key_data).empty()) {
    return Error::make(ErrorKind::invalid_argument,
                       "no OpenPGP public key found: key data is empty");
  }
  RKT_TRY_ASSIGN(GpgSession session, GpgSession::create());
  RKT_TRY_ASSIGN(GpgImport import, session.import_keys(key_data));
  if (import.secret_keys > 0) {
    return Error::make(ErrorKind::invalid_argument,
                       "key data contains a secret key; give the public key only "
                       "(gpg --armor --export KEYID)");
  }
  if (import.fingerprints.empty()) {
    return Error::make(ErrorKind::invalid_argument,
                       "no OpenPGP public key found in key data (expected an armored or binary "
                       "public key)");
  }
  if (import.fingerprints.size() > 1) {
    return Error::make(ErrorKind::invalid_argument,
                       "key data holds {} public keys ({}); exactly one is required",
                       import.fingerprints.size(), util::join(import.fingerprints, ", "));
  }
  PublicKeyInfo info;
  info.fingerprint = import.fingerprints.front();
  RKT_TRY_ASSIGN(GpgKeyDetails details, session.key_details(info.fingerprint));
  info.identities = std::move(details.identities);
  RKT_TRY_ASSIGN(info.armored, session.export_armored(info.fingerprint));
  return info;
}

std::string format_fingerprint(std::string_view fingerprint) {
  std::string out;
  for (size_t i = 0; i < fingerprint.size(); ++i) {
    if (i > 0 && i % 4 == 0) {
      out += ' ';
      if (fingerprint.size() == 40 && i == 20) out += ' ';
    }
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(fingerprint[i])));
  }
  return out;
}

bool is_fingerprint(std::string_view text) {
  if (text.size() != 40) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace rkt::trust

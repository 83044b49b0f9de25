#include "image/signature_check.hpp"

#include <iostream>

#include "trust/signature_verifier.hpp"
#include "util/log.hpp"

namespace rkt::image {

Result<void> verify_image_signature(const trust::Keystore& keystore, std::string_view image_name,
                                    int data_fd, std::string_view signature,
                                    std::string_view source) {
  RKT_TRY_ASSIGN(auto keys, keystore.keys_for_name(image_name));
  if (keys.empty()) {
    return Error::make(ErrorKind::verification_failed,
                       "{}: no keys trusted for prefix \"{}\": trust the image's signing key with "
                       "`rkt trust --prefix={} KEY`",
                       source, image_name, image_name);
  }
  auto verified = trust::verify_detached_fd(keys, data_fd, signature);
  if (!verified) return std::move(verified).error().wrap("{}", source);
  log::info("signature verified:");
  for (const std::string& identity : verified->identities) std::cerr << "  " << identity << "\n";
  return {};
}

}  // namespace rkt::image

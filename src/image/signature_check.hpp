#pragma once

#include <string_view>

#include "trust/keystore.hpp"
#include "util/result.hpp"

namespace rkt::image {

/// Verifies `signature` over the data of `data_fd` (from its current offset) against the keys
/// trusted for `image_name`, and prints rkt's "signature verified:" with the signer's identities.
/// `source` names the image in errors (a path or URL).
Result<void> verify_image_signature(const trust::Keystore& keystore, std::string_view image_name,
                                    int data_fd, std::string_view signature,
                                    std::string_view source);

}  // namespace rkt::image

#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace rkt::mds {

/// The service's HMAC-SHA512 key: random, made once per service start.
using HmacKey = std::array<uint8_t, 64>;
/// A pod UUID's 16 bytes (what the signature covers, as rkt signs).
using UuidBytes = std::array<uint8_t, 16>;

Result<HmacKey> make_hmac_key();
/// Parses a canonical UUID (8-4-4-4-12 hex digits).
std::optional<UuidBytes> parse_uuid(std::string_view text);

/// base64(HMAC-SHA512(key, uuid ‖ content)), standard alphabet with padding.
std::string sign(const HmacKey& key, const UuidBytes& uuid, std::string_view content);
/// Whether `signature_base64` is sign(key, uuid, content); constant time on the digest.
/// none when the signature is not valid base64.
std::optional<bool> verify(const HmacKey& key, const UuidBytes& uuid, std::string_view content,
                           std::string_view signature_base64);

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace rkt::mds

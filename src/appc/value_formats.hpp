#pragma once

#include <string_view>

namespace rkt::appc {

/// SemVer 2.0.0: MAJOR.MINOR.PATCH[-prerelease][+build], no leading zeros in numbers.
bool is_semver(std::string_view text);
/// RFC 3339 date-time with the "T": 2006-01-02T15:04:05[.frac](Z|+07:00).
bool is_rfc3339(std::string_view text);
/// appc image ID: "sha512-" followed by the digest (non-empty, no '-').
bool is_image_id(std::string_view text);
/// Environment variable name: letters, digits, '_', '.' and '-', not starting with a digit.
bool is_env_name(std::string_view text);
/// An absolute path ("/..."), without NUL bytes.
bool is_absolute_path(std::string_view text);
/// An http:// or https:// URL with a host.
bool is_http_url(std::string_view text);

}  // namespace rkt::appc

#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace rkt::appc {

/// AC identifier (image names, label, isolator and annotation names): lowercase letters, digits
/// and "-._~/", starting and ending with a letter or digit. Like appc's Go code, and unlike the
/// spec's regex, repeated separators ("example.com/~bob") are accepted.
bool is_ac_identifier(std::string_view text);
/// AC name (app, volume, mount point and port names): lowercase letters, digits and '-', starting
/// and ending with a letter or digit.
bool is_ac_name(std::string_view text);

/// rkt's default app name for an image: the last path component of `image_name`, lowercased,
/// with every run of invalid characters turned into one '-' ("coreos.com/etcd" -> "etcd").
/// Fails when nothing usable is left.
Result<std::string> sanitize_ac_name(std::string_view image_name);
/// Turns free text (a docker repository, say) into an AC identifier: lowercased, invalid
/// characters become '-', separator runs collapse to their first character.
Result<std::string> sanitize_ac_identifier(std::string_view text);

/// `"a\"b"`: a value quoted as in JSON, for error messages.
std::string quote(std::string_view text);

/// `field: "Foo Bar" is not a valid AC identifier`.
Result<void> validate_ac_identifier(std::string_view field, std::string_view value);
/// `field: "a_b" is not a valid AC name`.
Result<void> validate_ac_name(std::string_view field, std::string_view value);

}  // namespace rkt::appc

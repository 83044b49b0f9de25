#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "pod/pod_paths.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// A random RFC 4122 version 4 UUID in canonical lowercase form (getrandom(2)).
Result<std::string> new_uuid();

/// Whether `text` is a UUID in canonical 8-4-4-4-12 hex form (either case).
bool is_uuid(std::string_view text);

/// `text` as a canonical lowercase UUID; invalid_argument if it is not one.
Result<std::string> parse_uuid(std::string_view text);

/// The full UUID of the one pod (in any state directory) whose UUID starts with `prefix`,
/// compared case-insensitively. Errors as rkt: `no matches found for "x"` (not_found) and
/// `ambiguous uuid, N matches` (invalid_argument).
Result<std::string> resolve_uuid(const PodsDir& pods, std::string_view prefix);

/// The UUID written in `path` (--uuid-file; surrounding whitespace ignored).
Result<std::string> read_uuid_file(const std::filesystem::path& path);

}  // namespace rkt::pod

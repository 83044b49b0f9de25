#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::pod {

/// The mount points listed in a mountinfo text (field 5, with \\040-style escapes decoded), in the
/// order of the file (parents before children).
Result<std::vector<std::string>> mount_points_from_mountinfo(std::string_view text);

/// The mount points at or below `dir` (a canonical path), deepest first, so that unmounting them in
/// order never meets a busy parent.
std::vector<std::string> mounts_under(const std::vector<std::string>& mount_points,
                                      const std::filesystem::path& dir);

/// Unmounts everything still mounted at or below `dir` in this mount namespace (read from
/// /proc/self/mountinfo), deepest first: each is made private (so the unmount does not propagate
/// to the host) and unmounted, lazily (MNT_DETACH) if it is busy. Fails only if a mount remains.
Result<void> unmount_all_under(const std::filesystem::path& dir);

}  // namespace rkt::pod

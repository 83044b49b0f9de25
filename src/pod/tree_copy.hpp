#pragma once

#include <filesystem>

#include "util/result.hpp"

namespace rkt::pod {

/// Copies the tree at `from` to `to` (which must not exist, or be an empty directory) keeping
/// what a rootfs needs: file types (directories, files, symlinks, devices, fifos), hard links,
/// owners, modes (setuid bits included), extended attributes (file capabilities) and times.
/// Used for the stage1 rootfs and for --no-overlay app rootfs.
Result<void> copy_tree(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace rkt::pod

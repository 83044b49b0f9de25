#pragma once

#include <filesystem>
#include <optional>

#include "sys/user_namespace.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// Copies the tree at `from` to `to` (which must not exist, or be an empty directory) keeping
/// what a rootfs needs: file types (directories, files, symlinks, devices, fifos), hard links,
/// owners, modes (setuid bits included), extended attributes (file capabilities) and times.
/// Used for the stage1 rootfs and for --no-overlay app rootfs. With `shift` (--private-users)
/// owners are moved into the pod's ID range: n becomes shift->base + n (an owner beyond the
/// range is an error).
Result<void> copy_tree(const std::filesystem::path& from, const std::filesystem::path& to,
                       const std::optional<sys::IdRange>& shift = std::nullopt);

/// Shifts the owner of one path (not following symlinks) into `range`, as copy_tree does; an
/// owner already in the range is left alone.
Result<void> shift_owner(const std::filesystem::path& path, const sys::IdRange& range);

}  // namespace rkt::pod

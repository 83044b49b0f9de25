#pragma once

#include <filesystem>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::sys {

/// Bind-mounts `source` on `target` (not recursively) shifted by the ID mapping of
/// `user_namespace` (mount_setattr(2) with MOUNT_ATTR_IDMAP, Linux >= 5.12; the filesystem must
/// support it): a file owned by n in `source` shows as owned by the namespace's outside ID of n.
Result<void> idmapped_bind_mount(const std::filesystem::path& source,
                                 const std::filesystem::path& target,
                                 const UniqueFd& user_namespace);

/// Whether an idmapped mount of `dir` can be made (the kernel and the filesystem support it):
/// tries one on a detached copy, which is dropped.
bool idmapped_mounts_supported(const std::filesystem::path& dir);

}  // namespace rkt::sys

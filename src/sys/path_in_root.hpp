#pragma once

#include <filesystem>
#include <string_view>

#include "util/result.hpp"

namespace rkt::sys {

namespace fs = std::filesystem;

/// The host path of `path` as seen by a process chrooted into `root`: symlinks are followed as the
/// chrooted process would follow them (absolute targets and ".." stay inside `root`). Components
/// that do not exist are appended as they are. Fails only on symlink loops (ELOOP) or I/O errors.
Result<fs::path> resolve_in_root(const fs::path& root, std::string_view path);

}  // namespace rkt::sys

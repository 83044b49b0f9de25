#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace rkt::stage1 {

namespace fs = std::filesystem;

/// Writes <status_dir>/<app>: the decimal exit status, no newline (atomically).
Result<void> write_app_status(const fs::path& status_dir, std::string_view app, int status);
/// Writes the pid file (decimal, no newline); its mtime is the pod's start time.
Result<void> write_pid_file(const fs::path& path, pid_t pid);
/// Points `supervisor_status` (stage1/rootfs/rkt/supervisor-status) at "ready".
Result<void> mark_supervisor_ready(const fs::path& supervisor_status);
/// The /etc/hosts an app gets when its image has none.
std::string fallback_hosts(std::string_view hostname);

}  // namespace rkt::stage1

#pragma once

#include <filesystem>

#include "util/result.hpp"

namespace rkt::stage1 {

namespace fs = std::filesystem;

/// What the pod's /dev/console is: the terminal on fd 0 (--interactive) or /dev/null.
enum class Console { null_device, stdin_terminal };

/// Mounts the stage1 rootfs for the pod's PID 1, which must already be in a private mount
/// namespace: binds it onto itself (recursively, so the app rootfs mounts stage0 made come along
/// and pivot_root gets a mount point), then /proc, a read-only /sys and a minimal /dev.
Result<void> mount_stage1_rootfs(const fs::path& stage1_root, Console console);

/// A minimal /dev on `dev` (a tmpfs): null, zero, full, random, urandom and tty bound from the
/// host, console, ptmx -> pts/ptmx with a private devpts on pts, shm (tmpfs), fd/std* symlinks.
Result<void> mount_minimal_dev(const fs::path& dev, Console console);

}  // namespace rkt::stage1

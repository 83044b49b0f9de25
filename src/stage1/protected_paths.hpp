#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::stage1 {

namespace fs = std::filesystem;

/// Kernel paths an app sees read-only: rkt's list, plus what systemd's ProtectKernelTunables
/// (which rkt turned on) made read-only: all of /proc/sys, /proc/sysrq-trigger, /proc/irq...
const std::vector<std::string_view>& read_only_kernel_paths();
/// Kernel directories an app cannot look into (an empty, mode 000, read-only tmpfs over them).
const std::vector<std::string_view>& inaccessible_kernel_dirs();
/// Kernel files an app cannot read (an empty mode-000 file bound read-only over them).
const std::vector<std::string_view>& inaccessible_kernel_files();

/// Applies the three lists inside an app's rootfs at `app_root` (a host path), whose /proc and
/// /sys are already mounted; paths the kernel does not have are skipped. `empty_file` is an empty
/// mode-000 file to bind over inaccessible files (created if missing).
Result<void> protect_kernel_paths(const fs::path& app_root, const fs::path& empty_file);

}  // namespace rkt::stage1

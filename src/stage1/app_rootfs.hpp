#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "stage1/volumes.hpp"
#include "util/result.hpp"

namespace rkt::stage1 {

namespace fs = std::filesystem;

/// Whether the app gets a generated /etc/hosts when its image has none.
enum class HostsFallback { no, yes };
/// Whether rkt's read-only and inaccessible /proc and /sys paths apply (--insecure-options=paths
/// lifts them; stage1-fly never has them, as rkt's fly).
enum class KernelPaths { open, protected_ };
/// Whether the app gets a fresh tmpfs on /tmp (stage1-fly does, as rkt's fly).
enum class TmpTmpfs { no, yes };

/// A file bound over one of the app's files (/etc/resolv.conf, /etc/hosts); empty source: none.
struct FileBind {
  fs::path source;
  bool read_only = false;
};

struct AppRootfsOptions {
  std::string hostname;
  bool read_only_root = false;
  std::vector<AppMount> mounts;
  HostsFallback hosts_fallback = HostsFallback::yes;
  TmpTmpfs tmp_tmpfs = TmpTmpfs::no;
  KernelPaths kernel_paths = KernelPaths::open;
  FileBind resolv_conf;  // over /etc/resolv.conf, after the volumes (it takes precedence)
  FileBind hosts;        // over /etc/hosts, likewise
};

/// Sets up an app's rootfs at `app_root` (a host path): creates the mount targets and the
/// fallback /etc/hosts (written into the app's overlay; the image's own file is never touched),
/// makes the root read-only if asked, then binds <system_root>/{proc,sys,dev} (recursively) and
/// the kernel-path protections, then the volumes (parents first) into it. Every path inside the app
/// is resolved as the app would resolve it, so symlinks in the image cannot point a mount outside
/// its rootfs.
Result<void> mount_app_rootfs(const fs::path& app_root, const fs::path& system_root,
                              const AppRootfsOptions& options);

}  // namespace rkt::stage1

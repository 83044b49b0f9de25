#include "stage1/protected_paths.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "stage1/report.hpp"
#include "sys/mount.hpp"
#include "util/unique_fd.hpp"

namespace rkt::stage1 {

const std::vector<std::string_view>& read_only_kernel_paths() {
  static const std::vector<std::string_view> paths = {
      // rkt's protectKernelROPaths
      "/proc/bus", "/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe",
      "/proc/sys/vm/panic_on_oom", "/proc/sysrq-trigger", "/sys/block", "/sys/bus", "/sys/class",
      "/sys/dev", "/sys/devices", "/sys/kernel",
      // systemd's ProtectKernelTunables, which rkt set too
      "/proc/sys", "/proc/acpi", "/proc/apm", "/proc/asound", "/proc/fs", "/proc/irq",
      "/proc/latency_stats", "/proc/timer_stats", "/sys"};
  return paths;
}

const std::vector<std::string_view>& inaccessible_kernel_dirs() {
  static const std::vector<std::string_view> paths = {"/sys/firmware", "/sys/fs", "/sys/hypervisor",
                                                      "/sys/module", "/sys/power"};
  return paths;
}

const std::vector<std::string_view>& inaccessible_kernel_files() {
  static const std::vector<std::string_view> paths = {"/proc/config.gz",   "/proc/kallsyms",
                                                      "/proc/sched_debug", "/proc/kcore",
                                                      "/proc/kmem",        "/proc/mem"};
  return paths;
}

namespace {

/// The host path of a kernel path inside the app (proc and sys are the stage1's own mounts, so
/// no symlink from the image can be on the way), or empty if the kernel has no such path.
fs::path existing(const fs::path& app_root, std::string_view path, mode_t type) {
  fs::path host = app_root / fs::path(path).relative_path();
  struct stat st {};
  if (::lstat(host.c_str(), &st) != 0) return {};
  if (type != 0 && (st.st_mode & S_IFMT) != type) return {};
  return host;
}

Result<void> make_empty_file(const fs::path& file) {
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0));
  if (!fd) return Error::from_errno(errno, "create `{}`", file.string());
  if (::fchmod(fd.get(), 0) != 0) return Error::from_errno(errno, "chmod `{}`", file.string());
  return {};
}

Result<void> make_read_only(const fs::path& host) {
  RKT_TRY(sys::bind_mount(host, host, sys::Recursive::yes));
  return sys::remount_read_only(host, sys::Recursive::yes);
}

}  // namespace

Result<void> protect_kernel_paths(const fs::path& app_root, const fs::path& empty_file) {
  // Read-only first: the inaccessible mounts then sit on top and stay in force.
  for (auto path : read_only_kernel_paths()) {
    fs::path host = existing(app_root, path, 0);
    if (!host.empty()) RKT_TRY(make_read_only(host));
  }
  for (auto path : inaccessible_kernel_dirs()) {
    fs::path host = existing(app_root, path, S_IFDIR);
    if (host.empty()) continue;
    RKT_TRY(sys::mount("tmpfs", host, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                       "mode=000,size=4k"));
  }
  RKT_TRY(make_empty_file(empty_file));
  for (auto path : inaccessible_kernel_files()) {
    fs::path host = existing(app_root, path, S_IFREG);
    if (host.empty()) continue;
    RKT_TRY(sys::bind_mount(empty_file, host, sys::Recursive::no));
    RKT_TRY(sys::remount_read_only(host));
  }
  debug("protected the kernel paths in {}", app_root.string());
  return {};
}

}  // namespace rkt::stage1

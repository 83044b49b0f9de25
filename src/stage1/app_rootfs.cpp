#include "stage1/app_rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "stage1/pod_files.hpp"
#include "stage1/protected_paths.hpp"
#include "stage1/report.hpp"
#include "sys/mount.hpp"
#include "sys/path_in_root.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace rkt::stage1 {

namespace {

constexpr const char* k_system_dirs[] = {"proc", "sys", "dev"};

/// Makes `path` (inside the app) exist as a directory, or as an empty file for file mounts.
Result<fs::path> make_target(const fs::path& app_root, const std::string& path, bool directory) {
  RKT_TRY_ASSIGN(auto host_path, sys::resolve_in_root(app_root, path));
  struct stat st {};
  if (::stat(host_path.c_str(), &st) == 0) return host_path;  // also on a read-only root
  if (directory) {
    RKT_TRY(util::make_dirs(host_path));
    return host_path;
  }
  RKT_TRY(util::make_dirs(host_path.parent_path()));
  UniqueFd fd(::open(host_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return Error::from_errno(errno, "create mount target `{}`", host_path.string());
  return host_path;
}

Result<void> write_fallback_hosts(const fs::path& app_root, const std::string& hostname) {
  RKT_TRY_ASSIGN(auto hosts, sys::resolve_in_root(app_root, "/etc/hosts"));
  struct stat st {};
  if (::lstat(hosts.c_str(), &st) == 0) return {};  // the image has its own: leave it alone
  RKT_TRY(util::make_dirs(hosts.parent_path()));
  return util::write_file_atomic(hosts, fallback_hosts(hostname), 0644, util::Durability::no_fsync);
}

/// Creates an empty volume's directory when stage0 has not.
Result<void> ensure_empty_volume(const AppMount& mount) {
  if (util::is_dir(mount.source)) return {};
  RKT_TRY(util::make_dirs(mount.source, mount.mode));
  if (::chown(mount.source.c_str(), mount.uid, mount.gid) != 0) {
    return Error::from_errno(errno, "chown `{}`", mount.source.string());
  }
  return {};
}

Result<bool> source_is_directory(const AppMount& mount) {
  if (mount.kind == "empty") RKT_TRY(ensure_empty_volume(mount));
  struct stat st {};
  if (::stat(mount.source.c_str(), &st) != 0) {
    return Error::from_errno(errno, "volume \"{}\": source `{}`", mount.volume,
                             mount.source.string());
  }
  return S_ISDIR(st.st_mode);
}

Result<fs::path> make_volume_target(const fs::path& app_root, const AppMount& mount) {
  RKT_TRY_ASSIGN(bool directory, source_is_directory(mount));
  return make_target(app_root, mount.target, directory);
}

Result<void> mount_volume(const fs::path& app_root, const AppMount& mount) {
  RKT_TRY_ASSIGN(auto target, make_volume_target(app_root, mount));
  auto recursive = mount.recursive ? sys::Recursive::yes : sys::Recursive::no;
  RKT_TRY(sys::bind_mount(mount.source, target, recursive));
  if (mount.read_only) RKT_TRY(sys::remount_read_only(target, recursive));
  debug("mounted volume {} ({}) on {}", mount.volume, mount.source.string(), target.string());
  return {};
}

/// The DNS files to bind, with their targets inside the app.
std::vector<std::pair<FileBind, std::string>> file_binds(const AppRootfsOptions& options) {
  std::vector<std::pair<FileBind, std::string>> binds;
  if (!options.resolv_conf.source.empty()) {
    binds.push_back({options.resolv_conf, "/etc/resolv.conf"});
  }
  if (!options.hosts.source.empty()) binds.push_back({options.hosts, "/etc/hosts"});
  return binds;
}

Result<void> bind_file(const fs::path& app_root, const FileBind& bind, const std::string& path) {
  RKT_TRY_ASSIGN(auto target, make_target(app_root, path, false));
  RKT_TRY(sys::bind_mount(bind.source, target, sys::Recursive::no));
  if (bind.read_only) RKT_TRY(sys::remount_read_only(target));
  debug("bound {} on {}", bind.source.string(), target.string());
  return {};
}

size_t depth(const std::string& path) {
  return static_cast<size_t>(std::count(path.begin(), path.end(), '/'));
}

}  // namespace

Result<void> mount_app_rootfs(const fs::path& app_root, const fs::path& system_root,
                              const AppRootfsOptions& options) {
  for (const char* dir : k_system_dirs) RKT_TRY(make_target(app_root, dir, true));
  if (options.tmp_tmpfs == TmpTmpfs::yes) RKT_TRY(make_target(app_root, "/tmp", true));
  if (options.hosts_fallback == HostsFallback::yes) {
    RKT_TRY(write_fallback_hosts(app_root, options.hostname));
  }
  auto mounts = options.mounts;
  std::stable_sort(mounts.begin(), mounts.end(), [](const AppMount& a, const AppMount& b) {
    return depth(a.target) < depth(b.target);
  });
  if (options.read_only_root) {
    // Targets must exist before the root turns read-only (those inside other volumes are made
    // again, in the volume, when mounting).
    for (const auto& mount : mounts) RKT_TRY(make_volume_target(app_root, mount));
    for (const auto& [bind, path] : file_binds(options)) {
      RKT_TRY(make_target(app_root, path, false));
    }
    RKT_TRY(sys::bind_mount(app_root, app_root, sys::Recursive::no));
    RKT_TRY(sys::remount_read_only(app_root));
  }
  for (const char* dir : k_system_dirs) {
    RKT_TRY_ASSIGN(auto target, sys::resolve_in_root(app_root, dir));
    RKT_TRY(sys::bind_mount(system_root / dir, target, sys::Recursive::yes));
  }
  if (options.kernel_paths == KernelPaths::protected_) {
    RKT_TRY(protect_kernel_paths(app_root, system_root / "rkt" / "inaccessible"));
  }
  if (options.tmp_tmpfs == TmpTmpfs::yes) {
    RKT_TRY_ASSIGN(auto tmp, sys::resolve_in_root(app_root, "/tmp"));
    RKT_TRY(sys::mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"));
  }
  for (const auto& mount : mounts) RKT_TRY(mount_volume(app_root, mount));
  for (const auto& [bind, path] : file_binds(options)) RKT_TRY(bind_file(app_root, bind, path));
  return {};
}

}  // namespace rkt::stage1

#include "stage1/pod_rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "stage1/report.hpp"
#include "sys/mount.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace rkt::stage1 {

namespace {

constexpr const char* k_host_devices[] = {"null", "zero", "full", "random", "urandom", "tty"};

/// An empty regular file to bind a device node onto.
Result<void> touch(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666));
  if (!fd) return Error::from_errno(errno, "create `{}`", path.string());
  return {};
}

Result<void> make_symlink(const char* target, const fs::path& link) {
  if (::symlink(target, link.c_str()) != 0 && errno != EEXIST) {
    return Error::from_errno(errno, "symlink `{}` -> `{}`", link.string(), target);
  }
  return {};
}

Result<void> bind_device(const fs::path& source, const fs::path& target) {
  RKT_TRY(touch(target));
  return sys::bind_mount(source, target, sys::Recursive::no);
}

/// With --interactive the console is the app's terminal (fd 0 here), as nspawn does it. It is
/// bound by its path: fd 0's own mount belongs to the mount namespace it was opened in.
fs::path console_source(Console console) {
  char name[256];
  if (console == Console::stdin_terminal && ::ttyname_r(STDIN_FILENO, name, sizeof name) == 0) {
    return name;
  }
  return "/dev/null";
}

Result<void> mount_pseudo_filesystems(const fs::path& root) {
  RKT_TRY(util::make_dirs(root / "proc"));
  RKT_TRY(sys::mount("proc", root / "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC));
  RKT_TRY(util::make_dirs(root / "sys"));
  RKT_TRY(sys::mount("sysfs", root / "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
  RKT_TRY(util::make_dirs(root / "dev"));
  return {};
}

}  // namespace

Result<void> mount_minimal_dev(const fs::path& dev, Console console) {
  RKT_TRY(sys::mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC | MS_STRICTATIME,
                     "mode=755,size=64k"));
  for (const char* name : k_host_devices) {
    RKT_TRY(bind_device(fs::path("/dev") / name, dev / name));
  }
  RKT_TRY(bind_device(console_source(console), dev / "console"));
  RKT_TRY(util::make_dirs(dev / "pts"));
  RKT_TRY(sys::mount("devpts", dev / "pts", "devpts", MS_NOSUID | MS_NOEXEC,
                     "newinstance,ptmxmode=0666,mode=620"));
  RKT_TRY(make_symlink("pts/ptmx", dev / "ptmx"));
  RKT_TRY(util::make_dirs(dev / "shm"));
  RKT_TRY(sys::mount("shm", dev / "shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"));
  RKT_TRY(make_symlink("/proc/self/fd", dev / "fd"));
  RKT_TRY(make_symlink("/proc/self/fd/0", dev / "stdin"));
  RKT_TRY(make_symlink("/proc/self/fd/1", dev / "stdout"));
  RKT_TRY(make_symlink("/proc/self/fd/2", dev / "stderr"));
  return {};
}

Result<void> mount_stage1_rootfs(const fs::path& stage1_root, Console console) {
  RKT_TRY(sys::bind_mount(stage1_root, stage1_root, sys::Recursive::yes));
  RKT_TRY(mount_pseudo_filesystems(stage1_root));
  RKT_TRY(mount_minimal_dev(stage1_root / "dev", console));
  debug("mounted the stage1 rootfs at {}", stage1_root.string());
  return {};
}

}  // namespace rkt::stage1

#include "sys/mount.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/file.hpp"

namespace rkt::sys {

namespace {

std::string or_none(const std::string& text) {
  return text.empty() ? "none" : text;
}

/// The per-mount flags of an existing mount that a bind remount must keep (the kernel refuses to
/// drop locked ones in user namespaces, and silently clearing nosuid would be a surprise anyway).
unsigned long kept_flags(const fs::path& target) {
  struct statvfs info {};
  if (::statvfs(target.c_str(), &info) != 0) return 0;
  unsigned long flags = 0;
  if (info.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (info.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (info.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (info.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (info.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (info.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

}  // namespace

Result<void> mount(const std::string& source, const fs::path& target, const std::string& fstype,
                   unsigned long flags, const std::string& data) {
  if (::mount(source.empty() ? nullptr : source.c_str(), target.c_str(),
              fstype.empty() ? nullptr : fstype.c_str(), flags,
              data.empty() ? nullptr : data.c_str()) != 0) {
    return Error::from_errno(errno, "mount `{}` on `{}` (type {}, options {})", or_none(source),
                             target.string(), or_none(fstype), or_none(data));
  }
  return {};
}

Result<void> bind_mount(const fs::path& source, const fs::path& target, Recursive recursive) {
  unsigned long flags = MS_BIND | (recursive == Recursive::yes ? MS_REC : 0);
  if (::mount(source.c_str(), target.c_str(), nullptr, flags, nullptr) != 0) {
    return Error::from_errno(errno, "bind mount `{}` on `{}`", source.string(), target.string());
  }
  return {};
}

Result<void> remount_read_only(const fs::path& target, Recursive recursive) {
  if (recursive == Recursive::yes) {
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::mount_setattr(AT_FDCWD, target.c_str(), AT_RECURSIVE, &attr, sizeof attr) == 0) return {};
    if (errno != ENOSYS) {
      return Error::from_errno(errno, "remount `{}` read-only (recursively)", target.string());
    }
    // Kernels before 5.12: only the top mount becomes read-only.
  }
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | kept_flags(target);
  if (::mount(nullptr, target.c_str(), nullptr, flags, nullptr) != 0) {
    return Error::from_errno(errno, "remount `{}` read-only", target.string());
  }
  return {};
}

Result<void> set_propagation(const fs::path& target, Propagation propagation, Recursive recursive) {
  unsigned long flags = propagation == Propagation::private_ ? MS_PRIVATE
                        : propagation == Propagation::slave  ? MS_SLAVE
                                                             : MS_SHARED;
  if (recursive == Recursive::yes) flags |= MS_REC;
  if (::mount(nullptr, target.c_str(), nullptr, flags, nullptr) != 0) {
    return Error::from_errno(errno, "change the mount propagation of `{}`", target.string());
  }
  return {};
}

Result<void> mount_overlay(const std::vector<fs::path>& lower, const fs::path& upper,
                           const fs::path& work, const fs::path& target) {
  std::string data = "lowerdir=";
  for (size_t i = 0; i < lower.size(); ++i) {
    if (i > 0) data += ':';
    data += lower[i].string();
  }
  data += ",upperdir=" + upper.string() + ",workdir=" + work.string();
  return mount("overlay", target, "overlay", 0, data);
}

Result<void> unmount(const fs::path& target, UnmountMode mode) {
  if (::umount2(target.c_str(), mode == UnmountMode::detach ? MNT_DETACH : 0) != 0) {
    return Error::from_errno(errno, "unmount `{}`", target.string());
  }
  return {};
}

MountGuard& MountGuard::operator=(MountGuard&& other) noexcept {
  if (this != &other) {
    reset();
    m_target = std::exchange(other.m_target, {});
    m_mode = other.m_mode;
  }
  return *this;
}

Result<void> MountGuard::unmount_now() {
  if (m_target.empty()) return {};
  return unmount(std::exchange(m_target, {}), m_mode);
}

void MountGuard::reset() {
  if (!m_target.empty())
    ::umount2(std::exchange(m_target, {}).c_str(), m_mode == UnmountMode::detach ? MNT_DETACH : 0);
}

Result<void> pivot_root(const fs::path& new_root) {
  if (::chdir(new_root.c_str()) != 0) {
    return Error::from_errno(errno, "chdir to `{}`", new_root.string());
  }
  // With put_old == new_root the old root ends up stacked under the new one at "/"; detaching
  // "." afterwards removes it from this mount namespace.
  if (::syscall(SYS_pivot_root, ".", ".") != 0) {
    return Error::from_errno(errno, "pivot_root into `{}`", new_root.string());
  }
  if (::umount2(".", MNT_DETACH) != 0) {
    return Error::from_errno(errno, "detach the old root after pivot_root into `{}`",
                             new_root.string());
  }
  if (::chdir("/") != 0) return Error::from_errno(errno, "chdir to `/` after pivot_root");
  return {};
}

}  // namespace rkt::sys

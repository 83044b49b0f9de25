// The new mount API has no glibc wrappers on Debian 12's headers that mix with <sys/mount.h>, so
// this file uses the raw system calls and <linux/mount.h> alone.
#include "sys/idmapped_mount.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "sys/user_namespace.hpp"

namespace rkt::sys {

namespace {

Result<UniqueFd> clone_tree(const std::filesystem::path& source) {
  UniqueFd tree(static_cast<int>(
      ::syscall(SYS_open_tree, AT_FDCWD, source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)));
  if (!tree) return Error::from_errno(errno, "open_tree `{}`", source.string());
  return tree;
}

Result<void> set_idmap(const UniqueFd& tree, const UniqueFd& user_namespace,
                       const std::filesystem::path& source) {
  struct mount_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = static_cast<uint64_t>(user_namespace.get());
  if (::syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) {
    return Error::from_errno(errno, "idmapping a mount of `{}`", source.string());
  }
  return {};
}

}  // namespace

Result<void> idmapped_bind_mount(const std::filesystem::path& source,
                                 const std::filesystem::path& target,
                                 const UniqueFd& user_namespace) {
  RKT_TRY_ASSIGN(UniqueFd tree, clone_tree(source));
  RKT_TRY(set_idmap(tree, user_namespace, source));
  if (::syscall(SYS_move_mount, tree.get(), "", AT_FDCWD, target.c_str(),
                MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    return Error::from_errno(errno, "mount `{}` on `{}`", source.string(), target.string());
  }
  return {};
}

bool idmapped_mounts_supported(const std::filesystem::path& dir) {
  auto ns = create_user_namespace(IdRange{.base = 0x10000, .count = 0x10000});
  if (!ns) return false;
  auto tree = clone_tree(dir);
  return tree && set_idmap(*tree, ns->user, dir);
}

}  // namespace rkt::sys

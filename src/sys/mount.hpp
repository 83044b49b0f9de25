#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace rkt::sys {

namespace fs = std::filesystem;

/// Whether a bind or propagation change applies to the submounts too.
enum class Recursive { no, yes };
/// Mount propagation types (mount --make-*).
enum class Propagation { private_, slave, shared };
/// umount2(2) flavours: plain, or lazily detached (MNT_DETACH) when busy mounts are expected.
enum class UnmountMode { normal, detach };

/// mount(2); errors name the source and the target.
Result<void> mount(const std::string& source, const fs::path& target, const std::string& fstype,
                   unsigned long flags, const std::string& data = {});
/// Bind-mounts `source` on `target` (recursively by default).
Result<void> bind_mount(const fs::path& source, const fs::path& target,
                        Recursive recursive = Recursive::yes);
/// Makes an existing mount read-only, keeping its nosuid/nodev/noexec flags (all submounts with
/// Recursive::yes).
Result<void> remount_read_only(const fs::path& target, Recursive recursive = Recursive::no);
/// Changes the propagation type of the mount at `target`.
Result<void> set_propagation(const fs::path& target, Propagation propagation,
                             Recursive recursive = Recursive::yes);
/// Mounts an overlayfs on `target`; `lower` is ordered top-most first, as overlayfs wants.
Result<void> mount_overlay(const std::vector<fs::path>& lower, const fs::path& upper,
                           const fs::path& work, const fs::path& target);
/// umount2(2); errors name the target.
Result<void> unmount(const fs::path& target, UnmountMode mode = UnmountMode::normal);

/// Unmounts a mount point when dropped, unless released (for set-ups that fail half-way).
class MountGuard {
 public:
  MountGuard() = default;
  explicit MountGuard(fs::path target, UnmountMode mode = UnmountMode::detach)
      : m_target(std::move(target)), m_mode(mode) {}
  MountGuard(MountGuard&& other) noexcept
      : m_target(std::exchange(other.m_target, {})), m_mode(other.m_mode) {}
  MountGuard& operator=(MountGuard&& other) noexcept;
  MountGuard(const MountGuard&) = delete;
  MountGuard& operator=(const MountGuard&) = delete;
  ~MountGuard() { reset(); }

  const fs::path& target() const { return m_target; }
  /// Keeps the mount: it now belongs to someone else (or to the mount namespace's lifetime).
  fs::path release() { return std::exchange(m_target, {}); }
  /// Unmounts now, reporting the error.
  Result<void> unmount_now();

 private:
  void reset();
  fs::path m_target;
  UnmountMode m_mode = UnmountMode::detach;
};

/// pivot_root(2) into `new_root` (which must be a mount point) and detaches the old root, leaving
/// the caller in "/" of the new root. Uses pivot_root(".", ".") so no put_old directory is needed.
Result<void> pivot_root(const fs::path& new_root);

/// One line of /proc/<pid>/mountinfo.
struct MountInfo {
  int id = 0;
  int parent_id = 0;
  std::string root;         // the root of the mount within its filesystem
  std::string mount_point;  // unescaped (\040 -> ' ')
  std::string options;      // per-mount options: rw,nosuid,...
  std::string fstype;
  std::string source;
  std::string super_options;  // per-superblock options: rw,memory (v1 cgroups name controllers)
};

/// Parses the text of a mountinfo file; malformed lines are errors.
Result<std::vector<MountInfo>> parse_mountinfo(std::string_view text);
/// Reads and parses /proc/self/mountinfo (or another mountinfo file).
Result<std::vector<MountInfo>> read_mountinfo(const fs::path& path = "/proc/self/mountinfo");

}  // namespace rkt::sys

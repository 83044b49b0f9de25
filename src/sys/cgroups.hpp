#pragma once

// The cgroup seam: which hierarchies are mounted (v1, v2 or both: "hybrid"), where the caller
// sits in each, and the file operations on cgroup directories. No rkt policy here: what to
// create and which limits to write is stage1's business.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::sys {

namespace fs = std::filesystem;

enum class CgroupVersion { v1, v2 };

/// One mounted cgroup hierarchy.
struct CgroupHierarchy {
  CgroupVersion version = CgroupVersion::v1;
  /// v1: the controllers bound to it ("cpu", "cpuacct", "name=systemd" ...), from the mount's
  /// super options; v2: the controllers its root offers (cgroup.controllers).
  std::vector<std::string> controllers;
  fs::path mount_point;  // e.g. /sys/fs/cgroup/memory
  /// The caller's cgroup in this hierarchy ("/" is the root), relative to the mount's root.
  std::string own_path = "/";

  bool has(std::string_view controller) const;
  /// The directory of the cgroup at `path` ("/a/b" or "a/b") of this hierarchy.
  fs::path dir(std::string_view path) const;
};

/// How the host mounts cgroups.
enum class CgroupMode {
  none,     // no cgroup filesystem
  legacy,   // v1 only
  hybrid,   // v1 controllers plus a (controller-less) v2 hierarchy, e.g. /sys/fs/cgroup/unified
  unified,  // v2 only
};

struct CgroupLayout {
  std::vector<CgroupHierarchy> hierarchies;

  CgroupMode mode() const;
  /// The hierarchy where `controller` lives (v1 first, as the kernel binds a controller to one
  /// hierarchy only), or null.
  const CgroupHierarchy* with(std::string_view controller) const;
};

/// Builds the layout from the texts of /proc/self/mountinfo and /proc/self/cgroup; v2
/// controllers are left empty (they are read from the hierarchy, see detect_cgroups). A
/// hierarchy mounted twice is listed once.
Result<CgroupLayout> parse_cgroup_layout(std::string_view mountinfo, std::string_view self_cgroup);
/// The layout of this machine, as the calling process sees it.
Result<CgroupLayout> detect_cgroups();
const char* cgroup_mode_name(CgroupMode mode);

/// mkdir of a cgroup (an existing one is fine).
Result<void> make_cgroup(const fs::path& dir);
/// Writes `value` into the control file `dir/file`; errors name both.
Result<void> write_cgroup_file(const fs::path& dir, std::string_view file, std::string_view value);
/// Reads a control file.
Result<std::string> read_cgroup_file(const fs::path& dir, std::string_view file);
/// The number after `key` in a flat-keyed control file's text ("oom_kill 3" lines, as in
/// memory.events and memory.oom_control), or 0.
long cgroup_key_value(std::string_view text, std::string_view key);
/// Removes a cgroup and the cgroups below it, deepest first. Cgroups whose last process is
/// still exiting refuse for a moment (EBUSY); that is retried briefly. A missing one is fine.
Result<void> remove_cgroup_tree(const fs::path& dir);
/// Whether `dir` is on a cgroup filesystem (v1 or v2).
bool is_cgroup_dir(const fs::path& dir);

/// How a child enters one cgroup, opened beforehand so that the child need not allocate.
struct CgroupEntry {
  CgroupVersion version = CgroupVersion::v1;
  /// v1: `tasks`, which moves the writing thread only (all of a single-threaded child) and
  /// without the global lock of cgroup.procs, whose writer waits for an RCU grace period
  /// (6-30 ms measured). v2: cgroup.procs, for a child not born in the cgroup.
  UniqueFd file;
  UniqueFd dir;  // v2: the directory, for fork_into_cgroup; v1: -1
};
Result<CgroupEntry> open_cgroup_entry(const fs::path& dir, CgroupVersion version);
/// Moves the calling process into `entry`'s cgroup (writes "0", which means "me" whatever the
/// PID namespace), unless it is a v2 cgroup the caller was born in (fork_into_cgroup). Safe
/// between fork and exec; false with errno set.
bool join_cgroup(const CgroupEntry& entry);

}  // namespace rkt::sys

#pragma once

// The pod's cgroups (layout in docs/devel/cgroups.md). In every mounted hierarchy but cpuset:
//
//   <base>/machine-rkt\x2d<uuid>.scope/            the pod
//   <base>/machine-rkt\x2d<uuid>.scope/init.scope   stage1's pod init (PID 1)
//   <base>/machine-rkt\x2d<uuid>.scope/system.slice/<app>.service   each app
//
// <base> is /machine.slice when the caller sits in the hierarchy's root, else the caller's own
// cgroup (rkt run as a service stays in its service's cgroup). Limits and device rules go on the
// app cgroups.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "appc/types.hpp"
#include "sys/cgroups.hpp"
#include "sys/process.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::stage1 {

namespace fs = std::filesystem;

/// An app's cgroup settings, from its isolators (requests are not enforced, as in rkt).
struct AppResources {
  std::optional<int64_t> memory_limit_bytes;  // resource/memory limit
  std::optional<int64_t> cpu_limit_milli;     // resource/cpu limit
  std::optional<int64_t> cpu_shares;          // os/linux/cpu-shares
  std::optional<int> oom_score_adj;           // os/linux/oom-score-adj
};
Result<AppResources> app_resources(const appc::RuntimeApp& app);

/// v2's cpu.weight (1-10000) for v1's cpu.shares (2-262144), as runc and systemd convert it.
int64_t cpu_weight_of_shares(int64_t shares);
/// "machine-rkt\x2d<uuid with \x2d for ->.scope", rkt's (systemd-machined's) scope name.
std::string pod_scope_name(std::string_view uuid);
/// "<app>.service", '/' escaped as \x2f.
std::string app_service_name(std::string_view app);
/// The pod cgroup of `uuid` in hierarchy `h` (an absolute directory).
fs::path pod_cgroup_dir(const sys::CgroupHierarchy& h, std::string_view uuid);
/// The v1 device rules of an app: everything denied but the OS-SPEC devices of its /dev.
const std::vector<std::string>& app_device_rules();

/// The directory fd of the v2 cgroup among `entries`, or -1.
int v2_dir_of(const std::vector<sys::CgroupEntry>& entries);

/// What an app's child needs to enter its cgroups and set its OOM score without allocating.
struct AppCgroup {
  std::vector<sys::CgroupEntry> entries;  // the app's cgroup in each hierarchy
  std::optional<int> oom_score_adj;
  UniqueFd memory_dir;  // the app's memory cgroup (to tell an OOM kill), or -1
  sys::CgroupVersion memory_version = sys::CgroupVersion::v1;

  /// The app's cgroup v2 directory, to fork the app into (-1: none).
  int v2_dir() const { return v2_dir_of(entries); }
  /// Child side: joins every cgroup (but the v2 one it was born in), then writes
  /// /proc/self/oom_score_adj.
  bool enter(sys::ChildFailure& failure) const;
  /// Whether the kernel's OOM killer killed a process of the app (oom_kill in memory.events on
  /// v2, memory.oom_control on v1).
  bool oom_killed() const;
};

/// The cgroups of a running pod. Created by the run entrypoint before it forks the pod's PID 1;
/// the fds it holds are inherited by the pod.
class PodCgroups {
 public:
  /// Creates the pod's cgroups in every usable hierarchy and writes the apps' limits and device
  /// rules. A hierarchy that cannot be used is skipped with a warning unless an app needs one of
  /// its controllers (then it is an error, as is a limit nobody can enforce).
  static Result<PodCgroups> create(const sys::CgroupLayout& layout, std::string_view uuid,
                                   const std::vector<appc::RuntimeApp>& apps);
  PodCgroups() = default;
  PodCgroups(PodCgroups&&) = default;
  PodCgroups& operator=(PodCgroups&&) = default;

  /// The pod cgroup directories, one per hierarchy (for the pod's `cgroups` file and gc).
  const std::vector<fs::path>& pod_dirs() const { return m_pod_dirs; }
  /// init.scope's cgroup v2 directory, to fork the pod's PID 1 into (-1: none).
  int init_v2_dir() const { return v2_dir_of(m_init); }
  /// Moves the calling process (the pod's PID 1) into init.scope.
  Result<void> join_init() const;
  /// App `index`'s cgroups (shared with its plan).
  std::shared_ptr<const AppCgroup> app(size_t index) const { return m_apps.at(index); }
  /// Removes every cgroup of the pod (they must be empty).
  Result<void> remove() const;

 private:
  std::vector<fs::path> m_pod_dirs;
  std::vector<fs::path> m_made;  // every cgroup made, parents first (removal goes backwards)
  std::vector<sys::CgroupEntry> m_init;  // init.scope in each hierarchy
  std::vector<std::shared_ptr<AppCgroup>> m_apps;
};

/// Removes the cgroups listed in the pod's `cgroups` file (gc; a pod whose run entrypoint died
/// before it could). Lines that are not this pod's scope on a cgroup filesystem are ignored.
Result<void> remove_pod_cgroups(const fs::path& cgroups_file, std::string_view uuid);

}  // namespace rkt::stage1

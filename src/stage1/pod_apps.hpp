#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "appc/types.hpp"
#include "stage1/app_plan.hpp"
#include "stage1/volumes.hpp"
#include "util/result.hpp"

namespace rkt::stage1 {

namespace fs = std::filesystem;

/// One app of the pod with everything resolved for its start.
struct PodApp {
  AppPlan plan;
  std::vector<AppMount> mounts;
  bool read_only_root = false;
};

/// The pod as the run entrypoints see it.
struct Pod {
  fs::path dir;          // absolute pod directory
  fs::path stage1_root;  // <dir>/stage1/rootfs
  appc::PodManifest manifest;
  std::vector<PodApp> apps;
};

/// Where each app's chroot will be at launch, given its name.
enum class LaunchRoot {
  after_pivot,  // /opt/stage2/<app>/rootfs (stage1-native pivots into the stage1 rootfs)
  host_path,    // <pod>/stage1/rootfs/opt/stage2/<app>/rootfs (stage1-fly)
};

/// Reads `pod` and each app's env file from `pod_dir`, and plans every app (users, groups,
/// executables and volumes resolved): all failures show up before anything is mounted.
Result<Pod> load_pod(const fs::path& pod_dir, LaunchRoot launch_root);

/// The pod directory: the cwd, made absolute.
Result<fs::path> current_pod_dir();

/// Marks the pod lock (RKT_LOCK_FD) close-on-exec: the process keeps it, apps never get it.
/// A missing variable is fine (a stage1 run by hand).
Result<void> keep_pod_lock();

}  // namespace rkt::stage1

#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "pod/pod_state.hpp"

namespace rkt::pod {

namespace fs = std::filesystem;

/// Every on-disk path of pods, as rkt's on-disk format (docs/devel/on-disk-format.md).
struct PodsDir {
  explicit PodsDir(fs::path data_dir) : data_dir(std::move(data_dir)) {}

  fs::path data_dir;
  fs::path pods() const { return data_dir / "pods"; }
  /// pods/<embryo|prepare|prepared|run|exited-garbage|garbage>.
  fs::path state_dir(StateDir dir) const;
  fs::path pod_dir(StateDir dir, std::string_view uuid) const { return state_dir(dir) / uuid; }
  /// locks/prepareLock: held by image gc against pods being prepared.
  fs::path prepare_lock() const { return data_dir / "locks" / "prepareLock"; }
  /// userns/<base>: the --private-users ID ranges claimed by pods (pod/id_ranges.hpp).
  fs::path id_ranges() const { return data_dir / "userns"; }
};

/// Paths inside one pod directory.
struct PodPaths {
  explicit PodPaths(fs::path dir) : dir(std::move(dir)) {}

  fs::path dir;
  fs::path manifest() const { return dir / "pod"; }
  fs::path created_marker() const { return dir / "pod-created"; }
  fs::path pid() const { return dir / "pid"; }
  fs::path ppid() const { return dir / "ppid"; }
  fs::path stage1() const { return dir / "stage1"; }
  fs::path stage1_manifest() const { return dir / "stage1" / "manifest"; }
  fs::path stage1_rootfs() const { return dir / "stage1" / "rootfs"; }
  fs::path stage1_tree_id() const { return dir / "stage1TreeStoreID"; }
  fs::path app_info(std::string_view app) const { return dir / "appsinfo" / app; }
  fs::path app_image_manifest(std::string_view app) const { return app_info(app) / "manifest"; }
  fs::path app_tree_id(std::string_view app) const { return app_info(app) / "treeStoreID"; }
  fs::path app_dir(std::string_view app) const { return stage1_rootfs() / "opt" / "stage2" / app; }
  fs::path app_rootfs(std::string_view app) const { return app_dir(app) / "rootfs"; }
  fs::path app_status(std::string_view app) const {
    return stage1_rootfs() / "rkt" / "status" / app;
  }
  fs::path app_env(std::string_view app) const { return stage1_rootfs() / "rkt" / "env" / app; }
  fs::path app_log(std::string_view app) const { return stage1_rootfs() / "rkt" / "logs" / app; }
  fs::path supervisor_status() const { return stage1_rootfs() / "rkt" / "supervisor-status"; }
  fs::path overlay_prepared() const { return dir / "overlay-prepared"; }
  fs::path overlay_upper(std::string_view app) const { return dir / "overlay" / app / "upper"; }
  fs::path overlay_work(std::string_view app) const { return dir / "overlay" / app / "work"; }
  /// --private-users: where the run mounts the idmapped tree that is the overlay's lower layer.
  fs::path overlay_lower(std::string_view app) const { return dir / "overlay" / app / "lower"; }
  /// --private-users: "BASE:COUNT" of the pod's ID range (rkt's name and format).
  fs::path private_users() const { return dir / "private-users-prepared"; }
  fs::path shared_volume(std::string_view name) const { return dir / "sharedVolumes" / name; }
  fs::path net() const { return dir / "net"; }
};

}  // namespace rkt::pod

#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "appc/types.hpp"
#include "pod/pod_paths.hpp"
#include "pod/pod_state.hpp"
#include "util/lock_file.hpp"
#include "util/result.hpp"
#include "util/time.hpp"
#include "util/unique_fd.hpp"

namespace rkt::pod {

/// An app's image as the pod recorded it at prepare time (appsinfo/<app>/).
struct AppImage {
  appc::ImageManifest manifest;
  std::string tree_store_id;  // empty for --no-overlay pods (the rootfs is a copy)
};

/// One pod as found on disk: where it sits, its derived state, and readers for the files in its
/// directory. Files are read through the directory's descriptor, so a pod renamed to another state
/// directory after load() stays readable. The state is a snapshot; refresh() re-derives it.
class Pod {
 public:
  /// Finds pod `uuid` (a full UUID) in rkt's lookup order and derives its state; not_found when
  /// no state directory holds it.
  static Result<Pod> load(const PodsDir& pods, std::string_view uuid);
  /// resolve_uuid() then load(): accepts any unique prefix.
  static Result<Pod> find(const PodsDir& pods, std::string_view uuid_or_prefix);

  Pod(Pod&&) noexcept = default;
  Pod& operator=(Pod&&) noexcept = default;

  const std::string& uuid() const { return m_uuid; }
  PodState state() const { return m_state; }
  StateDir state_dir() const { return m_state_dir; }
  /// Absolute paths in the pod's directory, as of the last load/refresh.
  const PodPaths& paths() const { return m_paths; }
  const std::filesystem::path& dir() const { return m_paths.dir; }
  const PodsDir& pods_dir() const { return m_pods; }
  /// The open directory (no lock held on it).
  int dir_fd() const { return m_dir_fd.get(); }

  /// Re-derives the state from disk; not_found once the pod has been deleted.
  Result<void> refresh();
  /// Takes the pod's lock on a fresh descriptor of its directory (see pod_lock.hpp).
  Result<util::LockFile> lock(util::LockMode mode, util::LockWait wait) const;

  /// The pod manifest as written (`pod`); an embryo or a pod being prepared may have none yet.
  Result<std::string> manifest_json() const;
  /// The parsed pod manifest (parsed once, then cached).
  Result<appc::PodManifest> manifest() const;
  /// The names of the pod's apps, in manifest order.
  Result<std::vector<std::string>> app_names() const;
  /// The app's image manifest and tree store ID.
  Result<AppImage> app_image(std::string_view app) const;

  /// mtime of `pod-created`, else of `pod` (rkt before 1.20); none before the manifest exists.
  std::optional<util::Clock::time_point> created_time() const;
  /// mtime of `pid` (or `ppid`): when stage1 started the apps; none if it never got there.
  std::optional<util::Clock::time_point> start_time() const;
  /// ctime of the directory for pods in exited-garbage/ or garbage/: when gc marked them.
  std::optional<util::Clock::time_point> gc_marked_time() const;
  /// The host PID of the pod's PID 1: `pid`, or the single child of the PID in `ppid`;
  /// not_found when stage1 has not written either yet.
  Result<pid_t> pid() const;
  /// The app's exit status (stage1/rootfs/rkt/status/<app>); none while it runs or if it never ran.
  std::optional<int> app_exit_status(std::string_view app) const;
  /// Whether stage1 reported that all apps were started (rkt/supervisor-status -> ready).
  bool is_supervisor_ready() const;
  /// Whether the apps' rootfs are overlays (`overlay-prepared`) rather than copies.
  bool uses_overlay() const;

 private:
  Pod(PodsDir pods, std::string uuid, StateDir dir, PodState state, UniqueFd fd);
  /// Opens a file of the pod by its path relative to the pod directory.
  Result<UniqueFd> open_relative(const std::filesystem::path& relative, int flags) const;
  Result<std::string> read_relative(const std::filesystem::path& relative) const;
  std::optional<util::Clock::time_point> mtime_relative(
      const std::filesystem::path& relative) const;

  PodsDir m_pods;
  std::string m_uuid;
  StateDir m_state_dir = StateDir::embryo;
  PodState m_state = PodState::embryo;
  PodPaths m_paths;
  PodPaths m_relative{std::filesystem::path()};  // the same paths relative to the pod directory
  UniqueFd m_dir_fd;
  mutable std::optional<appc::PodManifest> m_manifest;
};

}  // namespace rkt::pod

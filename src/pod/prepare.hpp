#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "appc/types.hpp"
#include "pod/pod_paths.hpp"
#include "pod/pod_request.hpp"
#include "store/image_store.hpp"
#include "sys/user_namespace.hpp"
#include "util/lock_file.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// What the pod becomes once prepared: `rkt prepare` leaves it in prepared/ unlocked; `rkt run`
/// moves it straight to run/ and keeps its lock for the stage1.
enum class PrepareMode { for_run, for_prepare };

/// A prepared pod.
struct PreparedPod {
  std::string uuid;
  std::filesystem::path dir;  // pods/prepared/<uuid> or pods/run/<uuid>
  appc::PodManifest manifest;
  bool overlay = true;  // false: the apps' rootfs are copies (--no-overlay or no overlayfs)
  std::optional<sys::IdRange> private_users;  // --private-users: the pod's ID range
  /// for_run: the exclusive lock on the pod directory, to hand to the stage1.
  std::optional<util::LockFile> lock;
};

/// Creates and prepares a pod as rkt's stage0 does: embryo/<uuid> locked exclusively, renamed to
/// prepare/; writes `pod` and `pod-created`; renders every app image and the stage1
/// (request.stage1.image) into the tree store; writes appsinfo/<app>/{manifest,treeStoreID},
/// stage1TreeStoreID, stage1/manifest, a copy of the stage1 rootfs, opt/stage2/<app>/{rootfs/,
/// manifest}, rkt/{status,env/<app>,logs}, sharedVolumes/<vol> for empty volumes, the overlay
/// upper/work dirs and `overlay-prepared` (or, with --no-overlay, a copy of each app's tree);
/// with --private-users claims an ID range (pod/id_ranges.hpp), records it in
/// `private-users-prepared` and shifts the owners of what the pod's root must own (the stage1
/// copy, copies of app trees, overlay upper dirs, empty volumes); unless
/// request.skip_tree_check, checks every tree already rendered against its recorded hash and
/// renders it again on a mismatch (rkt's "tree cache is in a bad state"); writes
/// --uuid-file-save; then moves the pod to prepared/ or run/ (see PrepareMode).
/// Holds locks/prepareLock shared meanwhile (image gc takes it exclusively). Input errors are
/// found before the pod directory exists; a later failure leaves an unlocked pod in prepare/
/// ("aborted prepare") that gc removes.
Result<PreparedPod> prepare_pod(const PodsDir& pods, store::ImageStore& store,
                                const PodRequest& request, PrepareMode mode);

/// Whether the kernel has overlayfs (/proc/filesystems lists "overlay").
bool overlay_supported();

/// The ID range recorded in a pod directory (`private-users-prepared`); nullopt if none.
Result<std::optional<sys::IdRange>> recorded_id_range(const PodPaths& paths);

}  // namespace rkt::pod

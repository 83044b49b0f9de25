#pragma once

#include <filesystem>
#include <optional>

#include "appc/types.hpp"
#include "pod/pod_paths.hpp"
#include "sys/user_namespace.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// Moves this process into a mount namespace of its own whose mounts are slaves of the host's:
/// host mount events still arrive, but nothing mounted here reaches the host, and all of it
/// goes away with the last process of the namespace (so gc has nothing to unmount).
Result<void> enter_private_mount_namespace();

/// Mounts the overlay rootfs of each app of the pod: lower = <tree_dir>/<treeStoreID>/rootfs,
/// upper/work = overlay/<app>/{upper,work}, on stage1/rootfs/opt/stage2/<app>/rootfs. With
/// `private_users` the lower layer is an idmapped mount of the tree (on overlay/<app>/lower)
/// shifted into the pod's range, so the pod's root sees its image's files as its own.
Result<void> mount_app_overlays(const PodPaths& paths, const std::filesystem::path& tree_dir,
                                const appc::PodManifest& manifest,
                                const std::optional<sys::IdRange>& private_users);

/// rkt's /etc/mtab -> ../proc/self/mounts, added when the rootfs has a real /etc directory and
/// nothing at /etc/mtab (tools such as mount(8) expect it).
Result<void> ensure_mtab(const std::filesystem::path& rootfs);

}  // namespace rkt::pod

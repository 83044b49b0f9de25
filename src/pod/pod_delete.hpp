#pragma once

#include <filesystem>
#include <string>

#include "pod/pod.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// What stage0 passes on to the stage1 gc entrypoint.
struct DeleteOptions {
  bool debug = false;        // --debug
  std::string local_config;  // --local-config=DIR (interface version 5 and later)
};

/// Deletes a pod in exited-garbage/ or garbage/ whose exclusive lock the caller holds: releases
/// its CNI networks (net::teardown_pod_network; a failure is reported), runs the stage1 gc
/// entrypoint if the pod ran (a failure is reported, not fatal), unmounts whatever is still
/// mounted below the pod directory, then removes stage1/rootfs, the rest, and the `pod` manifest
/// last, so that an interrupted delete is retried by the next gc. Never crosses into another
/// filesystem.
Result<void> delete_pod(const Pod& pod, const DeleteOptions& options);

/// rm -rf `path` without following symlinks and without crossing into another filesystem (a
/// mount point below `path` is an error, not something to empty).
Result<void> remove_tree(const std::filesystem::path& path);

}  // namespace rkt::pod

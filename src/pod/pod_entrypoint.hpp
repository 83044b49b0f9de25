#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pod/pod_paths.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// Annotations of a stage1 image manifest naming its entrypoints (docs/devel/stage1-interface.md).
inline constexpr std::string_view k_stage1_run_annotation = "coreos.com/rkt/stage1/run";
inline constexpr std::string_view k_stage1_enter_annotation = "coreos.com/rkt/stage1/enter";
inline constexpr std::string_view k_stage1_gc_annotation = "coreos.com/rkt/stage1/gc";
inline constexpr std::string_view k_stage1_stop_annotation = "coreos.com/rkt/stage1/stop";
inline constexpr std::string_view k_stage1_interface_version_annotation =
    "coreos.com/rkt/stage1/interface-version";

/// A pod's stage1 entrypoint: its host path and the stage1's interface version.
struct Stage1Entrypoint {
  std::filesystem::path path;  // <pod>/stage1/rootfs/<annotation value>
  int interface_version = 1;   // absent annotation: 1, as rkt
};

/// The entrypoint named by `annotation` in the pod's stage1/manifest. not_found when the pod has
/// no stage1 (never prepared that far), no such annotation, or no such file in the stage1 rootfs.
Result<Stage1Entrypoint> find_stage1_entrypoint(const PodPaths& pod, std::string_view annotation);

/// Where an entrypoint's stdout goes.
enum class EntrypointStdout { inherit, to_stderr };

/// Runs `entrypoint args...` with cwd = the pod directory and waits for it; returns its exit
/// status (128+N when killed by signal N).
Result<int> run_stage1_entrypoint(const PodPaths& pod, const Stage1Entrypoint& entrypoint,
                                  const std::vector<std::string>& args,
                                  EntrypointStdout out = EntrypointStdout::inherit);

}  // namespace rkt::pod

#pragma once

#include <filesystem>
#include <string_view>

#include "pod/pod.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// Whether export may replace an existing output file (`--overwrite`).
enum class Overwrite { no, yes };

/// `rkt export`: writes app `app` of an exited pod (empty: its only app) as an ACI at `output`
/// (which must end in ".aci"): the app's rootfs as it was when the pod ended — for overlay pods
/// the image's tree (cas/tree/<id>/rootfs) merged with the app's upper dir as overlayfs showed
/// it, for --no-overlay pods the rootfs copy — and the app's image manifest without dependencies
/// or pathWhitelist (the rootfs is complete). Written to a temporary file beside `output` and
/// renamed into place. The pod is share-locked meanwhile so that gc leaves it alone.
Result<void> export_pod_app(const Pod& pod, std::string_view app,
                            const std::filesystem::path& output, Overwrite overwrite);

}  // namespace rkt::pod

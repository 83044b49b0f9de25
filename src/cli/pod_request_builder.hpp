#pragma once

#include "cli/context.hpp"
#include "cli/pod_flags.hpp"
#include "pod/pod_request.hpp"

namespace rkt::cli {

/// Turns the images, per-app flags and pod flags of `run`/`prepare` into a PodRequest: selects
/// the stage1, fetches (or finds) every image per the pull policy, applies the flags.
Result<pod::PodRequest> build_pod_request(Context& context, const PodFlags& flags);

/// The stage1 run options from the runtime flags and the global options.
Result<pod::RunRequest> build_run_request(Context& context, const RuntimeFlags& flags);

}  // namespace rkt::cli

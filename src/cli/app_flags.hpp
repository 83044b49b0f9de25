#pragma once

#include "cli/app_args.hpp"
#include "pod/pod_request.hpp"

namespace rkt::cli {

/// Applies one per-app flag to an app of the pod being described; errors name the flag.
Result<void> apply_app_flag(pod::AppRequest& app, const AppFlag& flag);

/// Parses "volume=NAME,target=PATH" (--mount).
Result<appc::Mount> parse_mount_flag(std::string_view text);

}  // namespace rkt::cli

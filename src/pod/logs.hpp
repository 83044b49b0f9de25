#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "pod/pod.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// Whether read_logs keeps going while the pod runs (`--follow`).
enum class Follow { no, yes };

/// `rkt logs` options.
struct LogsOptions {
  std::optional<std::string> app;  // --app; none: every app of the pod
  size_t lines = 0;                // --lines: the last N lines of each app; 0: all
  Follow follow = Follow::no;      // --follow
  /// Asked before each follow round once the existing lines are out; false stops following
  /// (the API service's client went away, or its until_time passed). None: follow to the end.
  std::function<bool()> keep_following;
};

/// Writes the apps' logs (stage1/rootfs/rkt/logs/<app>, after the rotated <app>.1) to `out`.
/// With one app (or --app) lines are written as the app wrote them; with several apps each line
/// is prefixed with "<app>: " and the apps come one after the other in manifest order (the files
/// hold no timestamps to interleave by), except while following, where lines appear as they are
/// written. Following ends once the pod has exited and every file is drained, following
/// rotations. not_found when --app names no app of the pod, or when no app has a log (pods run
/// with --interactive keep none) and there is nothing to follow.
Result<void> read_logs(const Pod& pod, const LogsOptions& options, std::ostream& out);

}  // namespace rkt::pod

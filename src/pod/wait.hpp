#pragma once

#include <sys/types.h>

#include <optional>

#include "pod/pod.hpp"
#include "util/result.hpp"
#include "util/time.hpp"

namespace rkt::pod {

/// A time limit for the waits below; nullopt waits as long as it takes.
using WaitTimeout = std::optional<util::Duration>;

/// `rkt status --wait`: returns once the pod has run and exited (its lock released), leaving `pod`
/// refreshed. A pod that has not started yet is waited for too. Errors: the pod will never run
/// (aborted, garbage) or was deleted (ErrorKind::conflict / not_found), or the time ran out
/// (ErrorKind::interrupted).
Result<void> wait_for_exit(Pod& pod, WaitTimeout timeout);

/// `rkt status --wait-ready`: returns once stage1 has started all apps (supervisor-status ->
/// ready), leaving `pod` refreshed. Errors as wait_for_exit, and when the pod exits unready.
Result<void> wait_ready(Pod& pod, WaitTimeout timeout);

/// The host PID of the pod's PID 1, waiting for stage1 to write it (as rkt enter does); fails
/// once the pod is not running, or when the time runs out.
Result<pid_t> wait_for_pid(Pod& pod, WaitTimeout timeout);

}  // namespace rkt::pod

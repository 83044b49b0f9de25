#pragma once

#include "pod/pod.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// graceful: SIGTERM to the pod's PID 1, which stops the apps; force: SIGKILL (`rkt stop --force`).
enum class StopMode { graceful, force };

/// `rkt stop`: runs the pod's stage1 stop entrypoint (`[--force] <uuid>`, cwd = pod directory)
/// and waits for it, not for the pod to exit. Only for running pods: otherwise
/// `pod "<uuid>" is not running` (ErrorKind::conflict).
Result<void> stop_pod(const Pod& pod, StopMode mode);

}  // namespace rkt::pod

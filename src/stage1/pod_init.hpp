#pragma once

#include "stage1/args.hpp"
#include "stage1/pod_apps.hpp"
#include "sys/process.hpp"
#include "util/unique_fd.hpp"

namespace rkt::stage1 {

/// Messages from the pod's PID 1 to the run entrypoint outside the pod, one byte each.
enum class PodEvent : char {
  mounted = 'M',  // namespaces and mounts are ready: the pid file may be written
  started = 'R',  // every app has been started: the supervisor is ready
};

/// How the pod's PID 1 is set up; computed by the run entrypoint before the fork.
struct PodInitOptions {
  RunArgs args;
  sys::Session app_session = sys::Session::inherit;  // --interactive: share or take the tty
  UniqueFd user_namespace;  // --private-users: joined by PID 1 once the mounts are done
};

/// The body of the pod's PID 1 (already in the new PID, UTS, IPC and maybe net namespaces):
/// makes its own mount namespace, mounts the stage1 and app rootfs, pivots, becomes root of the
/// pod's user namespace (--private-users), then supervises the apps, telling the outside through
/// `events`. Returns the pod's exit status.
int run_pod_init(const PodInitOptions& options, Pod& pod, UniqueFd events, UniqueFd signals);

}  // namespace rkt::stage1

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "appc/types.hpp"
#include "pod/pod.hpp"
#include "pod/pod_paths.hpp"
#include "pod/pod_request.hpp"
#include "pod/prepare.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// Checks runtime options against a pod of `app_count` apps (call it before preparing):
/// --interactive needs exactly one app; --net is "host" or "none" (CNI networks are not
/// supported yet).
Result<void> validate_run_request(const RunRequest& request, size_t app_count);

/// The run entrypoint's argv (argv[0] = the entrypoint path), as the stage1 contract says:
/// [--debug] --net=N [--interactive] [--hostname=H] [--local-config=D] [--mds-token=T]
/// [--disable-capabilities-restriction] [--disable-paths] [--disable-seccomp] UUID.
std::vector<std::string> stage1_run_argv(const std::string& entrypoint, const RunRequest& request,
                                         std::string_view uuid);

/// Starts a pod in pods/run/ whose exclusive lock `pod.lock` holds: enters a private mount
/// namespace (nothing mounted for the pod is visible outside it, or outlives it), mounts each
/// app's overlay rootfs (adding /etc/mtab -> ../proc/self/mounts when the image has /etc and no
/// mtab), then, from the pod directory, execs the stage1 run entrypoint with RKT_LOCK_FD = the
/// lock's descriptor. With --mds-register the pod is first registered with the metadata service
/// (mds_registration.hpp). Returns only on failure.
Result<void> run_pod(const PodsDir& pods, PreparedPod pod, const RunRequest& request);

/// `rkt run-prepared` of a pod from Pod::find: it must be prepared; locks it exclusively, moves
/// it to run/ and runs it. Returns only on failure.
Result<void> run_prepared(const Pod& pod, const RunRequest& request);

}  // namespace rkt::pod

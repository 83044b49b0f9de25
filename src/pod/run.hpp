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
/// --interactive needs exactly one app; --net, --dns* and --hosts-entry are well formed.
Result<void> validate_run_request(const RunRequest& request, size_t app_count);

/// The run entrypoint's argv (argv[0] = the entrypoint path), as the stage1 contract says:
/// [--debug] --net=N [--netns=PATH] [--dns-conf-mode=M] [--interactive] [--hostname=H]
/// [--local-config=D] [--mds-token=T] [--disable-capabilities-restriction] [--disable-paths]
/// [--disable-seccomp] UUID.
std::vector<std::string> stage1_run_argv(const std::string& entrypoint, const RunRequest& request,
                                         std::string_view uuid);

/// Starts a pod in pods/run/ whose exclusive lock `pod.lock` holds. First, for a contained --net
/// list (not with stage1-fly), gives the pod its CNI networks (net::setup_pod_network); then it
/// writes the DNS/hosts files; a network failure is "stage1: failed to setup network: ..." with
/// nothing left behind. With --mds-register the pod is registered with the metadata service
/// (mds_registration.hpp). Then it enters a private mount namespace (nothing mounted for the pod
/// is visible outside it, or outlives it), mounts each app's overlay rootfs (adding /etc/mtab ->
/// ../proc/self/mounts when the image has /etc and no mtab), then, from the pod directory, execs
/// the stage1 run entrypoint with RKT_LOCK_FD = the lock's descriptor. Returns only on failure.
Result<void> run_pod(const PodsDir& pods, PreparedPod pod, const RunRequest& request);

/// `rkt run-prepared` of a pod from Pod::find: it must be prepared; locks it exclusively, moves
/// it to run/ and runs it. Returns only on failure.
Result<void> run_prepared(const Pod& pod, const RunRequest& request);

}  // namespace rkt::pod

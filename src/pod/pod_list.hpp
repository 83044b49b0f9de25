#pragma once

#include <string>
#include <vector>

#include "pod/pod.hpp"
#include "pod/pod_paths.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// The UUIDs of the pods in `dirs` (default: all state directories), sorted, each once (a pod
/// renamed during the listing may be seen in two directories). Missing state directories are
/// empty; entries that are not UUID-named directories are ignored.
Result<std::vector<std::string>> list_pod_uuids(const PodsDir& pods,
                                                const std::vector<StateDir>& dirs = {
                                                    k_state_dirs.begin(), k_state_dirs.end()});

/// Every pod, loaded, sorted by UUID. Pods deleted while listing are left out; a pod that cannot
/// be loaded is reported (warning) and left out.
Result<std::vector<Pod>> list_pods(const PodsDir& pods);

/// The pods currently in state directory `dir` (their state re-derived; a pod that moved on since
/// the listing is left out), sorted by UUID.
Result<std::vector<Pod>> list_pods_in(const PodsDir& pods, StateDir dir);

}  // namespace rkt::pod

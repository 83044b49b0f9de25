#pragma once

#include <string_view>

#include "pod/pod.hpp"
#include "pod/pod_paths.hpp"
#include "pod/pod_state.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// Renames pod `uuid` from the directory of state `from` to the directory of state `to`, after
/// checking is_legal_transition(from, to), and fsyncs the target state directory. A pod that is no
/// longer at its source (another process moved or deleted it first: a lost race, which is normal)
/// gives ErrorKind::not_found with sys_errno ENOENT.
Result<void> move_pod_dir(const PodsDir& pods, std::string_view uuid, PodState from, PodState to);

/// move_pod_dir() for a loaded pod, which then reflects its new place and state.
Result<void> move_pod(Pod& pod, PodState to);

/// Whether `result` failed only because another process moved or removed the pod first.
bool lost_race(const Result<void>& result);

}  // namespace rkt::pod

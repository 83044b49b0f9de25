#include "pod/rm.hpp"

#include "pod/pod.hpp"
#include "pod/pod_transition.hpp"

namespace rkt::pod {

namespace {

Error refusal(const Pod& pod, std::string_view why) {
  return Error::make(ErrorKind::conflict, "cannot remove pod \"{}\": it is {} (state \"{}\")",
                     pod.uuid(), why, state_name(pod.state()));
}

/// Moves the pod to the garbage directory matching its state, or says why it cannot be removed.
Result<void> move_to_garbage(Pod& pod) {
  switch (pod.state()) {
    case PodState::running:
      return refusal(pod, "running; stop it first");
    case PodState::embryo:
    case PodState::preparing:
      return refusal(pod, "being prepared");
    case PodState::deleting:
    case PodState::exited_deleting:
      return refusal(pod, "being deleted");
    case PodState::aborted_prepare:
    case PodState::prepared:
      return move_pod(pod, PodState::garbage);
    case PodState::exited:
      return move_pod(pod, PodState::exited_garbage);
    case PodState::exited_garbage:
    case PodState::garbage:
      return {};
  }
  return {};
}

}  // namespace

Result<void> remove_pod(const PodsDir& pods, std::string_view uuid, const DeleteOptions& options) {
  RKT_TRY_ASSIGN(auto pod, Pod::load(pods, uuid));
  auto moved = move_to_garbage(pod);
  if (lost_race(moved)) {
    // Someone (a gc, a run-prepared) moved it first: decide again from where it is now.
    RKT_TRY(pod.refresh());
    moved = move_to_garbage(pod);
  }
  RKT_TRY(moved);
  auto lock = pod.lock(util::LockMode::exclusive, util::LockWait::no_block);
  if (!lock) return refusal(pod, "being deleted by another process");
  // Now under our lock, where the pod is cannot change any more; gone means another rkt won.
  if (auto refreshed = pod.refresh(); !refreshed) {
    if (refreshed.error().kind == ErrorKind::not_found) return {};
    return refreshed;
  }
  return delete_pod(pod, options);
}

}  // namespace rkt::pod

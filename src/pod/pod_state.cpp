#include "pod/pod_state.hpp"

#include <utility>

namespace rkt::pod {

std::string_view state_dir_name(StateDir dir) {
  switch (dir) {
    case StateDir::embryo: return "embryo";
    case StateDir::prepare: return "prepare";
    case StateDir::prepared: return "prepared";
    case StateDir::run: return "run";
    case StateDir::exited_garbage: return "exited-garbage";
    case StateDir::garbage: return "garbage";
  }
  return "";
}

std::string_view state_name(PodState state) {
  switch (state) {
    case PodState::embryo: return "embryo";
    case PodState::preparing: return "preparing";
    case PodState::aborted_prepare: return "aborted prepare";
    case PodState::prepared: return "prepared";
    case PodState::running: return "running";
    case PodState::exited: return "exited";
    case PodState::exited_garbage: return "exited garbage";
    case PodState::exited_deleting: return "exited deleting";
    case PodState::garbage: return "garbage";
    case PodState::deleting: return "deleting";
  }
  return "";
}

PodState derive_state(StateDir dir, bool locked) {
  switch (dir) {
    case StateDir::embryo: return PodState::embryo;
    case StateDir::prepare: return locked ? PodState::preparing : PodState::aborted_prepare;
    case StateDir::prepared: return PodState::prepared;
    case StateDir::run: return locked ? PodState::running : PodState::exited;
    case StateDir::exited_garbage:
      return locked ? PodState::exited_deleting : PodState::exited_garbage;
    case StateDir::garbage: return locked ? PodState::deleting : PodState::garbage;
  }
  return PodState::garbage;
}

bool is_legal_transition(PodState from, PodState to) {
  using S = PodState;
  static constexpr std::pair<S, S> k_transitions[] = {
      {S::embryo, S::preparing},          // create takes the lock and moves to prepare/
      {S::preparing, S::prepared},        // rkt prepare
      {S::preparing, S::running},         // rkt run (lock kept)
      {S::preparing, S::aborted_prepare}, // the preparing process died or failed
      {S::aborted_prepare, S::garbage},   // gc, rm
      {S::prepared, S::running},          // rkt run-prepared
      {S::prepared, S::garbage},          // gc --expire-prepared, rm
      {S::running, S::exited},            // the pod's processes ended (lock released)
      {S::exited, S::exited_garbage},     // gc marks, rm
      {S::exited_garbage, S::exited_deleting},
      {S::garbage, S::deleting},
  };
  for (const auto& [a, b] : k_transitions) {
    if (a == from && b == to) return true;
  }
  return false;
}

StateDir state_dir_of(PodState state) {
  switch (state) {
    case PodState::embryo: return StateDir::embryo;
    case PodState::preparing:
    case PodState::aborted_prepare: return StateDir::prepare;
    case PodState::prepared: return StateDir::prepared;
    case PodState::running:
    case PodState::exited: return StateDir::run;
    case PodState::exited_garbage:
    case PodState::exited_deleting: return StateDir::exited_garbage;
    case PodState::garbage:
    case PodState::deleting: return StateDir::garbage;
  }
  return StateDir::garbage;
}

bool is_after_run(PodState state) {
  return state == PodState::exited || state == PodState::exited_garbage ||
         state == PodState::exited_deleting;
}

}  // namespace rkt::pod

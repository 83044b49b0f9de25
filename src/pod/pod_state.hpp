#pragma once

#include <array>
#include <string_view>

namespace rkt::pod {

/// The directories of pods/ that a pod moves through by rename(2).
enum class StateDir { embryo, prepare, prepared, run, exited_garbage, garbage };

/// In rkt's lookup order.
inline constexpr std::array<StateDir, 6> k_state_dirs = {
    StateDir::embryo, StateDir::prepare,        StateDir::prepared,
    StateDir::run,    StateDir::exited_garbage, StateDir::garbage};

std::string_view state_dir_name(StateDir dir);

/// A pod's state, derived from its directory plus whether its lock is held
/// (docs/devel/pod-lifecycle.md).
enum class PodState {
  embryo,
  preparing,
  aborted_prepare,
  prepared,
  running,
  exited,
  exited_garbage,
  exited_deleting,
  garbage,
  deleting,
};

/// rkt's state strings: "embryo", "preparing", "aborted prepare", "prepared", "running", "exited",
/// "exited garbage", "exited deleting", "garbage", "deleting".
std::string_view state_name(PodState state);

/// The state of a pod found in `dir`, given whether its lock is held by someone.
PodState derive_state(StateDir dir, bool locked);

/// Whether `from` may become `to`; every transition in the code goes through this table.
bool is_legal_transition(PodState from, PodState to);

/// The directory a pod in `state` sits in (several states share one directory: the lock decides).
StateDir state_dir_of(PodState state);

/// Whether the pod has run and its processes are gone (exited, exited garbage, exited deleting).
bool is_after_run(PodState state);

}  // namespace rkt::pod

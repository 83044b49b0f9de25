#pragma once

#include "pod/pod_paths.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// The mode of pods/ and pods/<state>/, as rkt's setup-data-dir.sh made them.
inline constexpr mode_t k_state_dir_mode = 02750;

/// Makes pods/ and pods/<state>/ (if missing) 02750 with group rkt when that group exists: members
/// of rkt may list and inspect pods (`rkt list`, `rkt status`, the API service), and every pod
/// directory made inside inherits the group (setgid). What must stay private in a pod is made
/// without group access (the apps' environment files, which carry the metadata service token).
Result<void> make_state_dir(const PodsDir& pods, StateDir dir);

}  // namespace rkt::pod

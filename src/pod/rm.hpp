#pragma once

#include <string_view>

#include "pod/pod_delete.hpp"
#include "pod/pod_paths.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// `rkt rm`: deletes pod `uuid` (a full UUID) now, without gc's grace period. Exited pods go
/// through exited-garbage/ (so the stage1 gc entrypoint runs), aborted and prepared pods through
/// garbage/. Refuses (ErrorKind::conflict, naming the state) pods that are running, embryo or
/// preparing, or being deleted by another process.
Result<void> remove_pod(const PodsDir& pods, std::string_view uuid,
                        const DeleteOptions& options = {});

}  // namespace rkt::pod

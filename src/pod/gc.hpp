#pragma once

#include <chrono>
#include <ostream>

#include "pod/pod_delete.hpp"
#include "pod/pod_paths.hpp"
#include "util/result.hpp"
#include "util/time.hpp"

namespace rkt::pod {

/// Whether gc stops after marking (--mark-only: records the exit time without deleting).
enum class GcMode { collect, mark_only };

/// `rkt gc` options, with rkt's defaults.
struct GcOptions {
  util::Duration grace_period = std::chrono::minutes(30);   // --grace-period
  util::Duration expire_prepared = std::chrono::hours(24);  // --expire-prepared
  GcMode mode = GcMode::collect;                            // --mark-only
  DeleteOptions delete_options;                             // passed to stage1 gc
};

/// Garbage-collects pods in two passes (docs/devel/pod-lifecycle.md), printing what it does to
/// `out` as rkt does:
///   pass 1: exited pods -> exited-garbage/ (`Moving pod "<uuid>" to garbage`), aborted prepares
///           -> garbage/; --mark-only stops here;
///   pass 2: prepared pods older than expire_prepared -> garbage/; exited-garbage pods marked more
///           than grace_period ago are deleted (`Garbage collecting pod "<uuid>"`), younger ones
///           reported (`Pod "<uuid>" not removed: still within grace period (30m0s)`); garbage/
///           is emptied.
/// A pod another process holds or moves meanwhile is skipped; a pod that fails to delete is
/// reported (warning) and left for the next gc. Fails only when pods/ cannot be read.
Result<void> gc_pods(const PodsDir& pods, const GcOptions& options, std::ostream& out);

}  // namespace rkt::pod

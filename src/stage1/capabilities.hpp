#pragma once

#include <sys/capability.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "appc/types.hpp"
#include "sys/process.hpp"
#include "util/result.hpp"

namespace rkt::stage1 {

/// Whether the app's capabilities are restricted (--insecure-options=capabilities turns it off).
enum class CapsRestriction { enforced, disabled };

/// The capabilities an app keeps, one bit per capability number.
struct CapabilityPlan {
  CapsRestriction restriction = CapsRestriction::enforced;
  uint64_t retained = 0;
  bool operator==(const CapabilityPlan&) const = default;
};

/// What an app keeps: appc's 14 defaults, exactly a retain-set, or the defaults minus a
/// remove-set (removing a capability that is not a default is a no-op).
Result<CapabilityPlan> plan_capabilities(const std::vector<appc::Isolator>& isolators,
                                         CapsRestriction restriction);
/// "CAP_..." names of the bits of `mask`, by number.
std::vector<std::string> capability_names(uint64_t mask);

/// A capability plan made ready for a child: the process's capability state with the
/// inheritable set replaced (built with libcap before fork, so the child only calls capset).
class PreparedCapabilities {
 public:
  /// Reads this process's capabilities; the retained set is cut to its bounding set.
  static Result<PreparedCapabilities> prepare(const CapabilityPlan& plan);
  /// Child side, before the user switch: drops every other capability from the bounding set,
  /// clears the ambient set and sets the inheritable set to the retained one. A root app then
  /// gets exactly the retained set at exec (permitted = inheritable | bounding); a non-root app
  /// gets nothing unless its file has capabilities (no ambient set, as rkt). Async-signal-safe.
  bool apply(sys::ChildFailure& failure) const;
  const CapabilityPlan& plan() const { return m_plan; }

 private:
  CapabilityPlan m_plan;
  std::shared_ptr<_cap_struct> m_state;
};

}  // namespace rkt::stage1

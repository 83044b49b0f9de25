#include "stage1/capabilities.hpp"

#include <sys/prctl.h>

#include <cerrno>

#include "appc/capabilities.hpp"
#include "appc/isolator.hpp"

namespace rkt::stage1 {

namespace {

Result<uint64_t> mask_of(const std::vector<std::string>& names) {
  uint64_t mask = 0;
  for (const auto& name : names) {
    auto number = appc::capability_number(name);
    if (!number) return Error::make(ErrorKind::invalid_argument, "unknown capability \"{}\"", name);
    mask |= uint64_t{1} << *number;
  }
  return mask;
}

uint64_t default_mask() {
  uint64_t mask = 0;
  for (auto name : appc::default_capabilities()) {
    mask |= uint64_t{1} << *appc::capability_number(name);
  }
  return mask;
}

/// The capability sets the isolators name, if any (validation already refused both together).
const appc::Isolator* capability_isolator(const std::vector<appc::Isolator>& isolators) {
  if (auto* retain = appc::find_isolator(isolators, appc::k_isolator_caps_retain)) return retain;
  return appc::find_isolator(isolators, appc::k_isolator_caps_remove);
}

}  // namespace

Result<CapabilityPlan> plan_capabilities(const std::vector<appc::Isolator>& isolators,
                                         CapsRestriction restriction) {
  CapabilityPlan plan;
  plan.restriction = restriction;
  if (restriction == CapsRestriction::disabled) {
    plan.retained = ~uint64_t{0};
    return plan;
  }
  plan.retained = default_mask();
  const appc::Isolator* isolator = capability_isolator(isolators);
  if (!isolator) return plan;
  RKT_TRY_ASSIGN(auto set, appc::capability_set(*isolator));
  RKT_TRY_ASSIGN(uint64_t named, mask_of(set.set));
  plan.retained = set.mode == appc::SetMode::retain ? named : plan.retained & ~named;
  return plan;
}

std::vector<std::string> capability_names(uint64_t mask) {
  std::vector<std::string> names;
  const auto& all = appc::linux_capability_names();
  for (size_t i = 0; i < all.size() && i < 64; ++i) {
    if (mask & (uint64_t{1} << i)) names.emplace_back(all[i]);
  }
  return names;
}

Result<PreparedCapabilities> PreparedCapabilities::prepare(const CapabilityPlan& plan) {
  PreparedCapabilities prepared;
  prepared.m_plan = plan;
  if (plan.restriction == CapsRestriction::disabled) return prepared;
  cap_t state = cap_get_proc();
  if (!state) return Error::from_errno(errno, "cap_get_proc");
  prepared.m_state.reset(state, [](_cap_struct* caps) { cap_free(caps); });
  if (cap_clear_flag(state, CAP_INHERITABLE) != 0) return Error::from_errno(errno, "cap_clear");
  uint64_t kept = 0;
  for (cap_value_t cap = 0; cap < cap_max_bits() && cap < 64; ++cap) {
    // Caps outside our own bounding set cannot be granted: leave them out rather than fail.
    if (!(plan.retained & (uint64_t{1} << cap)) || cap_get_bound(cap) != 1) continue;
    if (cap_set_flag(state, CAP_INHERITABLE, 1, &cap, CAP_SET) != 0) {
      return Error::from_errno(errno, "cap_set_flag({})", cap);
    }
    kept |= uint64_t{1} << cap;
  }
  prepared.m_plan.retained = kept;
  return prepared;
}

bool PreparedCapabilities::apply(sys::ChildFailure& failure) const {
  if (m_plan.restriction == CapsRestriction::disabled) return true;
  for (cap_value_t cap = 0; cap < cap_max_bits() && cap < 64; ++cap) {
    if (m_plan.retained & (uint64_t{1} << cap)) continue;
    if (cap_drop_bound(cap) != 0) {
      failure.sys_errno = errno;
      failure.append("dropping capability ");
      failure.append_number(cap);
      failure.append(" from the bounding set");
      return false;
    }
  }
  // EINVAL: a kernel without ambient capabilities (< 4.3), where there is nothing to clear.
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    failure.sys_errno = errno;
    failure.append("clearing the ambient capabilities");
    return false;
  }
  if (cap_set_proc(m_state.get()) != 0) {
    failure.sys_errno = errno;
    failure.append("setting the inheritable capabilities");
    return false;
  }
  return true;
}

}  // namespace rkt::stage1

#include "stage1/seccomp.hpp"

namespace rkt::stage1 {

namespace {

// Written at build time by tools/seccomp_default_gen.cpp: build_seccomp_filter's output for
// default_seccomp_plan() on the build's architecture.
constexpr sock_filter k_default_filter[] = {
#include "default_seccomp.inc"
};

}  // namespace

Result<std::vector<sock_filter>> compile_seccomp(const SeccompPlan& plan) {
  if (plan == default_seccomp_plan()) {
    return std::vector<sock_filter>(std::begin(k_default_filter), std::end(k_default_filter));
  }
  return build_seccomp_filter(plan);
}

}  // namespace rkt::stage1

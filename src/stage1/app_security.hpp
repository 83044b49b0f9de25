#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <memory>
#include <vector>

#include "appc/types.hpp"
#include "stage1/capabilities.hpp"
#include "stage1/seccomp.hpp"
#include "sys/process.hpp"
#include "util/result.hpp"

namespace rkt::stage1 {

/// Which protections --insecure-options turned off.
struct SecurityOptions {
  CapsRestriction capabilities = CapsRestriction::enforced;
  SeccompRestriction seccomp = SeccompRestriction::enforced;
};

/// An app's capabilities, no_new_privs and seccomp filter, all computed before any fork.
struct AppSecurity {
  PreparedCapabilities capabilities;
  SeccompPlan seccomp_plan;
  std::vector<sock_filter> seccomp_program;
  bool no_new_privileges = false;
};

/// Reads the app's isolators. no_new_privs is set when os/linux/no-new-privileges says so, and,
/// as rkt did, whenever a non-root app gets a seccomp filter (loading one needs either
/// no_new_privs or CAP_SYS_ADMIN, which a root app still has when it loads it).
Result<std::shared_ptr<const AppSecurity>> prepare_app_security(const appc::RuntimeApp& app,
                                                                uid_t uid,
                                                                const SecurityOptions& options);

/// Child side, before the user switch (needs CAP_SETPCAP): the capability sets.
bool apply_security_before_credentials(const AppSecurity& security, sys::ChildFailure& failure);
/// Child side, last thing before exec: no_new_privs, then the seccomp filter.
bool apply_security_before_exec(const AppSecurity& security, sys::ChildFailure& failure);

/// "stage1: app "x": ignoring isolators not supported: a, b" on stderr, if there are any (appc
/// requires telling the user).
void warn_unsupported_isolators(const appc::RuntimeApp& app);

}  // namespace rkt::stage1

#pragma once

#include <linux/filter.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "appc/types.hpp"
#include "sys/process.hpp"
#include "util/result.hpp"

namespace rkt::stage1 {

/// Whether apps get a seccomp filter (--insecure-options=seccomp turns it off).
enum class SeccompRestriction { enforced, disabled };
/// An allow-list (everything else denied) or a deny-list (everything else allowed); none: no
/// filter at all (retain-set @appc.io/all, or --insecure-options=seccomp).
enum class SeccompMode { none, allow_list, deny_list };

/// The filter an app gets, with wildcards expanded. No errno means "killed by SIGSYS".
struct SeccompPlan {
  SeccompMode mode = SeccompMode::none;
  std::vector<std::string> syscalls;
  std::optional<int> errno_value;
  bool operator==(const SeccompPlan&) const = default;
};

/// The syscalls of a named set ("@rkt/default-whitelist", "@systemd/mount", ...), or null if
/// there is no such set. @appc.io/all and @appc.io/empty are not lists: plan_seccomp handles them.
const std::vector<std::string_view>* seccomp_named_set(std::string_view name);
/// The errno called `name` ("EPERM", "ENOSYS", ...).
std::optional<int> errno_number(std::string_view name);

/// As rkt: no seccomp isolator means rkt's default allow-list, killing; a retain-set is an
/// allow-list and a remove-set a deny-list, with the isolator's errno or SIGSYS; a retain-set
/// with @appc.io/all means no filter; a set that expands to nothing (@appc.io/empty) means the
/// default allow-list. Unknown wildcards are errors.
Result<SeccompPlan> plan_seccomp(const std::vector<appc::Isolator>& isolators,
                                 SeccompRestriction restriction);

/// What an app without a seccomp isolator gets: rkt's default allow-list, killing.
SeccompPlan default_seccomp_plan();

/// Compiles a plan into BPF for this architecture with libseccomp (before any fork). Names
/// this architecture does not have are skipped. Allow-lists always allow what exec needs
/// (execve, exit, exit_group, rt_sigreturn, sigreturn) and make syscalls newer than the lists
/// fail with ENOSYS, so that libcs probing them (rseq, clone3, statx...) fall back instead of
/// being killed. Empty for SeccompMode::none.
Result<std::vector<sock_filter>> build_seccomp_filter(const SeccompPlan& plan);

/// build_seccomp_filter, except that the default plan's filter comes precompiled
/// (seccomp_precompiled.cpp): building it took ~1.5 ms of every pod's start.
Result<std::vector<sock_filter>> compile_seccomp(const SeccompPlan& plan);

/// Child side, as late as possible before exec: installs `program` (seccomp(2) directly:
/// nothing is allocated). Without CAP_SYS_ADMIN the caller must have set no_new_privs.
bool load_seccomp(const std::vector<sock_filter>& program, sys::ChildFailure& failure);

}  // namespace rkt::stage1

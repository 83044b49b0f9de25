#include "stage1/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "appc/isolator.hpp"
#include "util/unique_fd.hpp"

namespace rkt::stage1 {

namespace {

/// Always allowed by an allow-list: without them the exec itself, or the exit, is refused.
constexpr std::string_view k_always_allowed[] = {"execve", "exit", "exit_group", "rt_sigreturn",
                                                 "sigreturn"};

/// Syscalls newer than rkt's lists that libcs probe and fall back from on ENOSYS; an
/// allow-list that does not name them makes them fail with ENOSYS instead of killing the app.
constexpr std::string_view k_enosys_when_unlisted[] = {"rseq",
                                                       "clone3",
                                                       "statx",
                                                       "faccessat2",
                                                       "openat2",
                                                       "close_range",
                                                       "pidfd_open",
                                                       "pidfd_getfd",
                                                       "pidfd_send_signal",
                                                       "epoll_pwait2",
                                                       "preadv2",
                                                       "pwritev2",
                                                       "membarrier",
                                                       "futex_waitv",
                                                       "io_uring_setup",
                                                       "process_madvise",
                                                       "set_mempolicy_home_node"};

SeccompPlan default_plan(std::optional<int> errno_value) {
  SeccompPlan plan;
  plan.mode = SeccompMode::allow_list;
  plan.errno_value = errno_value;
  for (auto name : *seccomp_named_set("@rkt/default-whitelist")) plan.syscalls.emplace_back(name);
  return plan;
}

/// Expands one set entry into `out`; sets `all` for @appc.io/all.
Result<void> expand(const std::string& item, std::vector<std::string>& out, bool& all) {
  if (item.empty() || item[0] != '@') {
    out.push_back(item);
    return {};
  }
  if (item == "@appc.io/all") {
    all = true;
    return {};
  }
  if (item == "@appc.io/empty") return {};
  const auto* set = seccomp_named_set(item);
  if (!set) return Error::make(ErrorKind::invalid_argument, "unknown seccomp set \"{}\"", item);
  for (auto name : *set) out.emplace_back(name);
  return {};
}

const appc::Isolator* seccomp_isolator(const std::vector<appc::Isolator>& isolators) {
  if (auto* retain = appc::find_isolator(isolators, appc::k_isolator_seccomp_retain)) return retain;
  return appc::find_isolator(isolators, appc::k_isolator_seccomp_remove);
}

}  // namespace

std::optional<int> errno_number(std::string_view name) {
  for (int value = 1; value < 4096; ++value) {
    const char* known = ::strerrorname_np(value);
    if (known && name == known) return value;
  }
  return std::nullopt;
}

Result<SeccompPlan> plan_seccomp(const std::vector<appc::Isolator>& isolators,
                                 SeccompRestriction restriction) {
  if (restriction == SeccompRestriction::disabled) return SeccompPlan{};
  const appc::Isolator* isolator = seccomp_isolator(isolators);
  if (!isolator) return default_plan(std::nullopt);
  RKT_TRY_ASSIGN(auto set, appc::seccomp_set(*isolator));
  std::optional<int> errno_value;
  if (!set.errno_name.empty()) {
    errno_value = errno_number(set.errno_name);
    if (!errno_value) {
      return Error::make(ErrorKind::invalid_argument, "{}: unknown errno \"{}\"", isolator->name,
                         set.errno_name);
    }
  }
  SeccompPlan plan;
  plan.mode = set.mode == appc::SetMode::retain ? SeccompMode::allow_list : SeccompMode::deny_list;
  plan.errno_value = errno_value;
  bool all = false;
  for (const auto& item : set.set) {
    auto expanded = expand(item, plan.syscalls, all);
    if (!expanded) return std::move(expanded).error().wrap("{}", isolator->name);
  }
  if (all && plan.mode == SeccompMode::allow_list) return SeccompPlan{};
  if (plan.syscalls.empty()) return default_plan(errno_value);
  return plan;
}

namespace {

struct ContextFree {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextFree>;

/// Adds `action` for `name`; names this architecture lacks (or only emulates through a
/// multiplexer such as socketcall) are skipped.
Result<void> add_rule(const Context& ctx, uint32_t action, std::string_view name) {
  std::string name_z(name);
  int number = seccomp_syscall_resolve_name(name_z.c_str());
  if (number == __NR_SCMP_ERROR || number < 0) return {};
  int rc = seccomp_rule_add(ctx.get(), action, number, 0);
  if (rc != 0 && rc != -EEXIST && rc != -EACCES) {  // EACCES: same as the default
    return Error::from_errno(-rc, "seccomp rule for \"{}\"", name);
  }
  return {};
}

Result<void> add_rules(const Context& ctx, const SeccompPlan& plan, uint32_t deny) {
  if (plan.mode == SeccompMode::deny_list) {
    for (const auto& name : plan.syscalls) RKT_TRY(add_rule(ctx, deny, name));
    return {};
  }
  std::vector<std::string_view> allowed(plan.syscalls.begin(), plan.syscalls.end());
  allowed.insert(allowed.end(), std::begin(k_always_allowed), std::end(k_always_allowed));
  for (auto name : allowed) RKT_TRY(add_rule(ctx, SCMP_ACT_ALLOW, name));
  for (auto name : k_enosys_when_unlisted) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    RKT_TRY(add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), name));
  }
  return {};
}

Result<std::vector<sock_filter>> export_bpf(const Context& ctx) {
  UniqueFd fd(::memfd_create("seccomp-bpf", MFD_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "memfd_create");
  if (int rc = seccomp_export_bpf(ctx.get(), fd.get()); rc != 0) {
    return Error::from_errno(-rc, "seccomp_export_bpf");
  }
  off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size <= 0 || size % sizeof(sock_filter) != 0) {
    return Error::make(ErrorKind::io, "seccomp_export_bpf wrote {} bytes", size);
  }
  std::vector<sock_filter> program(static_cast<size_t>(size) / sizeof(sock_filter));
  if (::pread(fd.get(), program.data(), static_cast<size_t>(size), 0) != size) {
    return Error::from_errno(errno, "read the seccomp filter back");
  }
  return program;
}

}  // namespace

SeccompPlan default_seccomp_plan() {
  return default_plan(std::nullopt);
}

Result<std::vector<sock_filter>> build_seccomp_filter(const SeccompPlan& plan) {
  if (plan.mode == SeccompMode::none) return std::vector<sock_filter>{};
  uint32_t deny = plan.errno_value ? SCMP_ACT_ERRNO(static_cast<uint32_t>(*plan.errno_value))
                                   : SCMP_ACT_KILL_PROCESS;
  uint32_t fallback = plan.mode == SeccompMode::allow_list ? deny : SCMP_ACT_ALLOW;
  Context ctx(seccomp_init(fallback));
  if (!ctx) return Error::make(ErrorKind::io, "seccomp_init failed");
  // A binary search over the syscall numbers instead of one comparison after the other: every
  // syscall of the app runs the filter, and the default one lists some 300.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2); rc != 0) {
    return Error::from_errno(-rc, "seccomp_attr_set(SCMP_FLTATR_CTL_OPTIMIZE)");
  }
  RKT_TRY(add_rules(ctx, plan, deny));
  return export_bpf(ctx);
}

bool load_seccomp(const std::vector<sock_filter>& program, sys::ChildFailure& failure) {
  if (program.empty()) return true;
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(program.size());
  prog.filter = const_cast<sock_filter*>(program.data());
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    failure.sys_errno = errno;
    failure.append("loading the seccomp filter");
    return false;
  }
  return true;
}

}  // namespace rkt::stage1

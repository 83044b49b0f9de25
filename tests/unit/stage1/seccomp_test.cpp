#include "stage1/seccomp.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "appc/isolator.hpp"

namespace rkt::stage1 {
namespace {

using ::testing::Contains;
using ::testing::Not;

std::vector<appc::Isolator> seccomp_isolator(appc::SetMode mode, std::vector<std::string> set,
                                             std::string errno_name = {}) {
  auto isolator = appc::make_seccomp_isolator(mode, set, errno_name);
  EXPECT_TRUE(isolator) << (isolator ? "" : isolator.error().message);
  return {*isolator};
}

size_t default_whitelist_size() {
  return seccomp_named_set("@rkt/default-whitelist")->size();
}

TEST(SeccompTest, NoIsolatorMeansRktsDefaultAllowListKilling) {
  auto plan = plan_seccomp({}, SeccompRestriction::enforced);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->mode, SeccompMode::allow_list);
  EXPECT_FALSE(plan->errno_value);
  EXPECT_EQ(plan->syscalls.size(), default_whitelist_size());
  EXPECT_THAT(plan->syscalls, Contains("execve"));
  EXPECT_THAT(plan->syscalls, Not(Contains("mount")));
}

TEST(SeccompTest, DisabledMeansNoFilter) {
  auto plan = plan_seccomp(seccomp_isolator(appc::SetMode::remove, {"uname"}),
                           SeccompRestriction::disabled);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->mode, SeccompMode::none);
  auto program = compile_seccomp(*plan);
  ASSERT_TRUE(program);
  EXPECT_TRUE(program->empty());
}

TEST(SeccompTest, RemoveSetWithErrno) {
  auto plan =
      plan_seccomp(seccomp_isolator(appc::SetMode::remove, {"uname", "@systemd/mount"}, "ENOSYS"),
                   SeccompRestriction::enforced);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->mode, SeccompMode::deny_list);
  EXPECT_EQ(plan->errno_value, ENOSYS);
  EXPECT_EQ(plan->syscalls, (std::vector<std::string>{"uname", "chroot", "mount", "pivot_root",
                                                      "umount", "umount2"}));
}

TEST(SeccompTest, RetainAllMeansNoFilter) {
  auto plan = plan_seccomp(seccomp_isolator(appc::SetMode::retain, {"@appc.io/all"}),
                           SeccompRestriction::enforced);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->mode, SeccompMode::none);
}

TEST(SeccompTest, RemoveEmptyMeansTheDefaultAllowList) {
  auto plan = plan_seccomp(seccomp_isolator(appc::SetMode::remove, {"@appc.io/empty"}),
                           SeccompRestriction::enforced);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->mode, SeccompMode::allow_list);
  EXPECT_EQ(plan->syscalls.size(), default_whitelist_size());
}

TEST(SeccompTest, UnknownWildcardIsAnError) {
  std::vector<appc::Isolator> isolators = {
      {std::string(appc::k_isolator_seccomp_remove), {{"set", {"@nope/nothing"}}}}};
  auto plan = plan_seccomp(isolators, SeccompRestriction::enforced);
  ASSERT_FALSE(plan);
  EXPECT_THAT(plan.error().message, ::testing::HasSubstr("@nope/nothing"));
}

TEST(SeccompTest, AllNamedSetsExistAndAreNotEmpty) {
  for (auto name :
       {"@rkt/default-blacklist", "@rkt/default-whitelist", "@docker/default-blacklist",
        "@docker/default-whitelist", "@systemd/clock", "@systemd/default-whitelist",
        "@systemd/mount", "@systemd/network-io", "@systemd/obsolete", "@systemd/privileged",
        "@systemd/process", "@systemd/raw-io", "@systemd/io-event"}) {
    const auto* set = seccomp_named_set(name);
    ASSERT_NE(set, nullptr) << name;
    EXPECT_FALSE(set->empty()) << name;
  }
  EXPECT_THAT(*seccomp_named_set("@systemd/privileged"), Contains("settimeofday"));  // @clock
  EXPECT_EQ(seccomp_named_set("@nope/x"), nullptr);
}

TEST(SeccompTest, ErrnoNames) {
  EXPECT_EQ(errno_number("EPERM"), EPERM);
  EXPECT_EQ(errno_number("ENOSYS"), ENOSYS);
  EXPECT_EQ(errno_number("EACCES"), EACCES);
  EXPECT_FALSE(errno_number("ENOTANERRNO"));
}

TEST(SeccompTest, CompilesAndSkipsUnknownNames) {
  SeccompPlan plan{SeccompMode::allow_list, {"read", "no_such_syscall", "socketcall"}, EPERM};
  auto program = compile_seccomp(plan);
  ASSERT_TRUE(program) << program.error().message;
  EXPECT_GT(program->size(), 5u);
  auto full = compile_seccomp(*plan_seccomp({}, SeccompRestriction::enforced));
  ASSERT_TRUE(full) << full.error().message;
}

TEST(SeccompTest, TheDefaultFilterComesPrecompiledAsLibseccompBuildsIt) {
  auto plan = plan_seccomp({}, SeccompRestriction::enforced);
  ASSERT_TRUE(plan);
  EXPECT_EQ(*plan, default_seccomp_plan()) << "no isolator: the default plan";
  auto precompiled = compile_seccomp(*plan);
  auto built = build_seccomp_filter(*plan);
  ASSERT_TRUE(precompiled) << precompiled.error().message;
  ASSERT_TRUE(built) << built.error().message;
  ASSERT_EQ(precompiled->size(), built->size());
  for (size_t i = 0; i < built->size(); ++i) {
    const sock_filter& a = (*precompiled)[i];
    const sock_filter& b = (*built)[i];
    EXPECT_TRUE(a.code == b.code && a.jt == b.jt && a.jf == b.jf && a.k == b.k) << "at " << i;
  }
}

/// Runs `body` in a child with `plan` loaded (no_new_privs first: no root needed); returns its
/// wait status.
int run_filtered(const SeccompPlan& plan, int (*body)()) {
  auto program = compile_seccomp(plan);
  EXPECT_TRUE(program);
  pid_t pid = ::fork();
  if (pid == 0) {
    sys::ChildFailure failure;
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || !load_seccomp(*program, failure)) {
      ::_exit(100);
    }
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

int call_uname() {
  utsname name{};
  return ::uname(&name) == 0 ? 0 : errno;
}

TEST(SeccompTest, RemovedSyscallFailsWithTheChosenErrno) {
  SeccompPlan plan{SeccompMode::deny_list, {"uname"}, EPERM};
  int status = run_filtered(plan, call_uname);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), EPERM);
}

TEST(SeccompTest, RemovedSyscallWithoutErrnoKillsWithSigsys) {
  SeccompPlan plan{SeccompMode::deny_list, {"uname"}, std::nullopt};
  int status = run_filtered(plan, call_uname);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(SeccompTest, DefaultAllowListLetsUnameThroughButNotMount) {
  auto plan = plan_seccomp({}, SeccompRestriction::enforced);
  ASSERT_TRUE(plan);
  int status = run_filtered(*plan, call_uname);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  plan->errno_value = EPERM;
  status = run_filtered(*plan, [] { return ::unshare(0) == 0 ? 0 : errno; });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), EPERM);
}

}  // namespace
}  // namespace rkt::stage1

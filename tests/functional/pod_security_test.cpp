// Stage1-native's protections as the app sees them (docs/security.md): capability sets, seccomp,
// read-only kernel paths and mount(2), each with the --insecure-options that turns it off. Every
// check runs the inspect program in the pod and reads its KEY=VALUE report.

#include <signal.h>

#include <gmock/gmock.h>

#include <fstream>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::HasSubstr;

/// appc's 14 default capabilities as /proc/<pid>/status shows a set.
constexpr const char* k_appc_default_caps = "00000000a80425fb";
constexpr const char* k_no_caps = "0000000000000000";

std::string host_field(const std::string& field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(field + ":")) continue;
    size_t start = line.find_first_not_of(" \t", field.size() + 1);
    return line.substr(start);
  }
  return "";
}

class PodSecurity : public PodTest {
 protected:
  std::string aci() { return inspect_aci().path.string(); }

  /// `rkt --insecure-options=image[,INSECURE] run IMAGE APP_FLAGS -- INSPECT_ARGS`.
  ProcResult inspect(const std::string& insecure, const std::vector<std::string>& app_flags,
                     const std::vector<std::string>& inspect_args) {
    std::vector<std::string> args = {"--insecure-options=image" +
                                         (insecure.empty() ? "" : "," + insecure),
                                     "run", aci()};
    args.insert(args.end(), app_flags.begin(), app_flags.end());
    args.push_back("--");
    args.insert(args.end(), inspect_args.begin(), inspect_args.end());
    return ctx.run(args);
  }
};

TEST_F(PodSecurity, RootAppHasAppcsDefaultCapabilities) {
  ProcResult r = inspect("", {}, {"--print-caps"});
  ASSERT_TRUE(Succeeded(r));
  for (const char* set : {"CAP_INH", "CAP_PRM", "CAP_EFF", "CAP_BND"}) {
    EXPECT_EQ(value_of(r.out, set), k_appc_default_caps) << set << "\n" << r.out;
  }
  EXPECT_EQ(value_of(r.out, "CAP_AMB"), k_no_caps) << r.out;
  EXPECT_EQ(value_of(r.out, "NO_NEW_PRIVS"), "0") << "a root app keeps the right to gain privileges";
  EXPECT_EQ(value_of(r.out, "SECCOMP"), "2") << "filter mode";
}

TEST_F(PodSecurity, NonRootAppHasNoCapabilitiesAndNoNewPrivileges) {
  ProcResult r = inspect("", {"--user=4242", "--group=4242"}, {"--print-caps"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "CAP_PRM"), k_no_caps) << r.out;
  EXPECT_EQ(value_of(r.out, "CAP_EFF"), k_no_caps) << r.out;
  EXPECT_EQ(value_of(r.out, "CAP_BND"), k_appc_default_caps) << r.out;
  EXPECT_EQ(value_of(r.out, "NO_NEW_PRIVS"), "1") << "implied by the seccomp filter\n" << r.out;
}

TEST_F(PodSecurity, CapsRetainAndRemove) {
  ProcResult retain = inspect("", {"--caps-retain=CAP_CHOWN,CAP_NET_ADMIN"}, {"--print-caps"});
  ASSERT_TRUE(Succeeded(retain));
  // CAP_CHOWN is bit 0, CAP_NET_ADMIN bit 12.
  EXPECT_EQ(value_of(retain.out, "CAP_BND"), "0000000000001001") << retain.out;
  EXPECT_EQ(value_of(retain.out, "CAP_EFF"), "0000000000001001") << retain.out;

  ProcResult remove = inspect("", {"--caps-remove=CAP_CHOWN,CAP_SYS_ADMIN"}, {"--print-caps"});
  ASSERT_TRUE(Succeeded(remove));
  EXPECT_EQ(value_of(remove.out, "CAP_BND"), "00000000a80425fa")
      << "the defaults minus CAP_CHOWN (CAP_SYS_ADMIN was not one)\n"
      << remove.out;
}

TEST_F(PodSecurity, InsecureCapabilitiesKeepsThePodsCapabilities) {
  ProcResult r = inspect("capabilities", {}, {"--print-caps"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "CAP_BND"), host_field("CapBnd")) << r.out;
  EXPECT_EQ(value_of(r.out, "CAP_EFF"), host_field("CapEff")) << r.out;
}

TEST_F(PodSecurity, SeccompRemovedSyscallFailsWithTheChosenErrno) {
  ProcResult r = inspect("", {"--seccomp=mode=remove,errno=EACCES,mkdir,mkdirat"},
                         {"--syscall=mkdir", "--syscall=uname"});
  ASSERT_TRUE(Succeeded(r));
  auto calls = values_of(r.out, "SYSCALL");
  EXPECT_THAT(calls, ::testing::ElementsAre("mkdir:EACCES", "uname:ok")) << r.out;
}

TEST_F(PodSecurity, SeccompRemovedSyscallWithoutErrnoKillsWithSigsys) {
  ProcResult r = inspect("", {"--seccomp=mode=remove,mkdir,mkdirat"},
                         {"--syscall=uname", "--syscall=mkdir"});
  EXPECT_EQ(r.exit_code, 128 + SIGSYS) << dump(r);
  EXPECT_EQ(values_of(r.out, "SYSCALL"), std::vector<std::string>{"uname:ok"}) << r.out;
}

TEST_F(PodSecurity, MountIsRefusedAndInsecureSeccompDisablesTheFilter) {
  ProcResult killed = inspect("", {}, {"--mount-tmpfs=/mnt-test"});
  EXPECT_EQ(killed.exit_code, 128 + SIGSYS) << "mount(2) is not in the default allow-list\n"
                                            << dump(killed);
  ProcResult unfiltered = inspect("seccomp", {}, {"--print-caps", "--mount-tmpfs=/mnt-test"});
  ASSERT_TRUE(Succeeded(unfiltered));
  EXPECT_EQ(value_of(unfiltered.out, "SECCOMP"), "0") << unfiltered.out;
  EXPECT_EQ(value_of(unfiltered.out, "MOUNT"), "EPERM")
      << "without the filter, mount(2) still needs CAP_SYS_ADMIN\n"
      << unfiltered.out;
}

// This kernel has no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ off); /proc/sys/kernel/hostname is
// under the same read-only /proc/sys, and writing it only touches the pod's UTS namespace.
TEST_F(PodSecurity, KernelPathsAreReadOnlyUnlessInsecurePaths) {
  std::vector<std::string> probe = {"--content=changed", "--write-file=/proc/sys/kernel/hostname",
                                    "--print-hostname"};
  if (fs::exists("/proc/sysrq-trigger")) {
    probe.insert(probe.begin(), {"--write-file=/proc/sysrq-trigger"});
  }
  ProcResult r = inspect("", {}, probe);
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  for (const auto& error : values_of(r.out, "WRITE_FILE_ERROR")) {
    EXPECT_THAT(error, HasSubstr("Read-only file system")) << r.out;
  }
  EXPECT_FALSE(values_of(r.out, "WRITE_FILE_ERROR").empty()) << r.out;
  EXPECT_NE(value_of(r.out, "HOSTNAME"), "changed");

  ProcResult open = inspect("paths", {}, {"--content=changed",
                                          "--write-file=/proc/sys/kernel/hostname",
                                          "--print-hostname"});
  ASSERT_TRUE(Succeeded(open));
  EXPECT_EQ(value_of(open.out, "HOSTNAME"), "changed") << open.out;
}

TEST_F(PodSecurity, InaccessibleKernelFilesAreEmpty) {
  ProcResult r = inspect("", {}, {"--read-file=/proc/kallsyms", "--list-dir=/sys/firmware"});
  EXPECT_EQ(values_of(r.out, "READ_FILE_ERROR").size() + values_of(r.out, "READ_FILE").size(), 1u)
      << r.out;
  EXPECT_EQ(value_of(r.out, "READ_FILE").value_or(""), "") << "nothing to read\n" << r.out;
  EXPECT_EQ(value_of(r.out, "LIST_DIR").value_or(""), "") << r.out;
}

}  // namespace
}  // namespace rkt::functional

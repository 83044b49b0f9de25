#include "sys/process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "support/temp_dir.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace rkt::sys {
namespace {

int run(SpawnOptions options) {
  auto pid = spawn(options);
  EXPECT_TRUE(pid) << (pid ? "" : pid.error().message);
  if (!pid) return -1;
  auto status = wait_for_exit(*pid);
  EXPECT_TRUE(status);
  return status ? *status : -1;
}

SpawnOptions shell(const std::string& script) {
  SpawnOptions options;
  options.argv = {"/bin/sh", "-c", script};
  return options;
}

/// Runs a shell script with stdout captured through a pipe.
std::string capture(SpawnOptions options) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  options.stdio[1] = write_end.get();
  EXPECT_EQ(run(std::move(options)), 0);
  write_end.reset();
  std::string out;
  char buffer[256];
  ssize_t n;
  while ((n = ::read(read_end.get(), buffer, sizeof buffer)) > 0) out.append(buffer, n);
  return out;
}

TEST(SpawnTest, ReportsExitStatus) {
  EXPECT_EQ(run(shell("exit 0")), 0);
  EXPECT_EQ(run(shell("exit 3")), 3);
  EXPECT_EQ(run(shell("kill -9 $$")), 128 + SIGKILL);
}

TEST(SpawnTest, ExecFailureNamesTheFileAndContext) {
  SpawnOptions options;
  options.argv = {"/nonexistent/bin/nope"};
  options.description = " in app \"x\"";
  auto pid = spawn(options);
  ASSERT_FALSE(pid);
  EXPECT_EQ(pid.error().sys_errno, ENOENT);
  EXPECT_EQ(pid.error().message,
            "exec of \"/nonexistent/bin/nope\" in app \"x\" failed: No such file or directory");
}

TEST(SpawnTest, MissingWorkingDirectoryFails) {
  auto options = shell("true");
  options.cwd = "/nonexistent-dir";
  auto pid = spawn(options);
  ASSERT_FALSE(pid);
  EXPECT_EQ(pid.error().message,
            "chdir to working directory \"/nonexistent-dir\" failed: No such file or directory");
}

TEST(SpawnTest, SetsEnvironmentCwdAndStdout) {
  auto options = shell("echo \"$FOO $(pwd)\"");
  options.env = std::vector<std::string>{"FOO=bar", "PATH=/usr/bin:/bin"};
  options.cwd = "/tmp";
  EXPECT_EQ(capture(std::move(options)), "bar /tmp\n");
}

TEST(SpawnTest, StdioSourcesMayBeLowFds) {
  // stdout and stderr swapped: the child must not clobber one with the other.
  auto options = shell("echo out; echo err >&2");
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  options.stdio = {-1, STDERR_FILENO, write_end.get()};
  ASSERT_EQ(run(std::move(options)), 0);
  write_end.reset();
  char buffer[64] = {};
  ASSERT_GT(::read(read_end.get(), buffer, sizeof buffer - 1), 0);
  EXPECT_STREQ(buffer, "err\n");
}

bool failing_hook(void* context, ChildFailure& failure) {
  failure.append(static_cast<const char*>(context));
  failure.append(" exited with status ");
  failure.append_number(-42);
  return false;
}

bool passing_hook(void*, ChildFailure&) {
  return true;
}

TEST(SpawnTest, HookFailureCarriesItsMessage) {
  auto options = shell("true");
  options.hook = failing_hook;
  options.hook_context = const_cast<char*>("pre-start handler \"/bin/x\"");
  options.description = " in app \"a\"";
  auto pid = spawn(options);
  ASSERT_FALSE(pid);
  EXPECT_EQ(pid.error().message, "pre-start handler \"/bin/x\" exited with status -42");
  options.hook = passing_hook;
  EXPECT_EQ(run(options), 0);
}

TEST(SpawnTest, ResetsBlockedAndIgnoredSignals) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  ASSERT_EQ(::sigprocmask(SIG_BLOCK, &set, &old), 0);
  auto previous = ::signal(SIGPIPE, SIG_IGN);
  EXPECT_EQ(capture(shell("grep -E '^Sig(Blk|Ign)' /proc/self/status")),
            "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
  ::signal(SIGPIPE, previous);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
}

TEST(SpawnTest, StdioOnlyClosesOtherDescriptors) {
  int fd = ::open("/dev/null", O_RDONLY);  // deliberately inheritable
  ASSERT_GE(fd, 3);
  std::string check = "test -e /proc/self/fd/" + std::to_string(fd) + " && echo yes || echo no";
  EXPECT_EQ(capture(shell(check)), "yes\n");
  auto options = shell(check);
  options.inherit_fds = InheritFds::stdio_only;
  EXPECT_EQ(capture(std::move(options)), "no\n");
  ::close(fd);
}

TEST(ChildFailureTest, AppendTruncates) {
  ChildFailure failure;
  std::string big(1000, 'a');
  failure.append(big.c_str());
  failure.append("more");
  EXPECT_EQ(std::string(failure.message), std::string(sizeof failure.message - 1, 'a'));
}

TEST(ExitStatusTest, MapsSignalsTo128Plus) {
  EXPECT_EQ(exit_status_from_wait(3 << 8), 3);
  EXPECT_EQ(exit_status_from_wait(SIGTERM), 128 + SIGTERM);
}

}  // namespace
}  // namespace rkt::sys

namespace rkt::sys {
namespace {

TEST(SpawnTest, PassesSocketActivationFdsWithTheChildsOwnPid) {
  int saved = ::fcntl(3, F_DUPFD_CLOEXEC, 10);  // -1 when fd 3 is not open
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  // fd 3, close-on-exec: spawn must keep it anyway.
  if (fds[0] != 3) {
    ASSERT_EQ(::dup3(fds[0], 3, O_CLOEXEC), 3);
  }
  SpawnOptions options = shell(
      "echo FDS=$LISTEN_FDS; [ \"$LISTEN_PID\" = \"$$\" ] && echo PID=own; "
      "[ -e /proc/self/fd/3 ] && echo FD3=open; true");
  options.env = std::vector<std::string>{"PATH=/bin:/usr/bin"};
  options.inherit_fds = InheritFds::stdio_only;
  options.listen_fds = 1;
  EXPECT_EQ(capture(options), "FDS=1\nPID=own\nFD3=open\n");
  options.listen_fds = 0;
  EXPECT_EQ(capture(options), "FDS=\n");
  if (fds[0] != 3) ::close(fds[0]);
  ::close(fds[1]);
  if (saved >= 0) {
    ::dup3(saved, 3, 0);
    ::close(saved);
  } else {
    ::close(3);
  }
}

}  // namespace
}  // namespace rkt::sys

#include "sys/fork_into_cgroup.hpp"

#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace rkt::sys {

namespace {

/// Per process: set in each child of fork_into_cgroup.
bool g_born_in_cgroup = false;

}  // namespace

pid_t fork_into_cgroup(int dir_fd) {
  if (dir_fd >= 0) {
    clone_args args{};
    args.flags = CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = static_cast<uint64_t>(dir_fd);
    // Without a stack, clone3 returns twice like fork.
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) g_born_in_cgroup = true;
    if (pid >= 0) return static_cast<pid_t>(pid);
    if (errno != ENOSYS && errno != E2BIG && errno != EPERM) return -1;
  }
  pid_t pid = ::fork();
  if (pid == 0) g_born_in_cgroup = false;
  return pid;
}

bool born_in_cgroup() {
  return g_born_in_cgroup;
}

}  // namespace rkt::sys

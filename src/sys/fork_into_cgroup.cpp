#include "sys/fork_into_cgroup.hpp"

#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

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
    // ENOSYS (an old kernel, a seccomp filter), EACCES (a caller in a user namespace may not
    // write the host's cgroup.procs; the child writes through an fd opened outside it): fork
    // plainly, the child joins. If the cgroup refuses the child, the join says why.
  }
  pid_t pid = ::fork();
  if (pid == 0) g_born_in_cgroup = false;
  return pid;
}

bool born_in_cgroup() {
  return g_born_in_cgroup;
}

}  // namespace rkt::sys

#pragma once

// Creating a process directly in a cgroup v2 (clone3's CLONE_INTO_CGROUP) instead of moving it
// there afterwards: a move through cgroup.procs takes a global lock whose writer waits for an RCU
// grace period (6-30 ms measured on the development VM), a birth in the cgroup does not.

#include <sys/types.h>

namespace rkt::sys {

/// fork(2), the child born in the v2 cgroup whose directory `dir_fd` is (-1: a plain fork). Where
/// that is refused (no clone3 in the kernel or under a seccomp filter; a caller in a user
/// namespace) it forks plainly: the child is then in its parent's cgroup and born_in_cgroup()
/// says so. clone3 runs none of glibc's fork handlers: in a multi-threaded caller, the child must
/// keep to async-signal-safe calls until it execs (as sys::spawn's child does).
pid_t fork_into_cgroup(int dir_fd);

/// In the child of fork_into_cgroup: whether it was born in the cgroup it was given.
bool born_in_cgroup();

}  // namespace rkt::sys

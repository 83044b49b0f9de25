#pragma once

#include <sys/types.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace rkt::sys {

/// How the child's session is set up before exec.
enum class Session {
  inherit,               // stay in the parent's session and process group
  new_session,           // setsid(): no controlling terminal, out of the terminal's signals
  new_session_with_tty,  // setsid() then make fd 0 (a terminal) the controlling tty
};
/// Whether the child is killed (SIGKILL) when the thread that forked it dies.
enum class ParentDeath { ignore, kill_child };
/// Which of the parent's descriptors survive the exec: all that are not close-on-exec, or only
/// stdin, stdout and stderr (everything else is marked close-on-exec in the child).
enum class InheritFds { all, stdio_only };

/// A uid, a gid and the supplementary groups a child switches to.
struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  bool operator==(const Credentials&) const = default;
};

/// What a child-side hook reports when it fails: an errno (or 0) and a fixed-size message, built
/// without allocating (the hook runs between fork and exec).
struct ChildFailure {
  int sys_errno = 0;
  char message[256] = {};
  /// Appends a C string, truncating at the buffer's end.
  void append(const char* text);
  /// Appends a decimal number.
  void append_number(long number);
};

/// Runs in the child after every set-up step, just before exec. Returns false and fills
/// `failure` (a complete message: spawn adds only ": strerror(sys_errno)") to abort the exec;
/// must not allocate or throw.
using ChildHook = bool (*)(void* context, ChildFailure& failure);

/// Everything a child needs; all strings are turned into C arrays before fork.
struct SpawnOptions {
  std::vector<std::string> argv;
  std::string path;                             // file to exec; empty: argv[0] (no PATH search)
  std::optional<std::vector<std::string>> env;  // NAME=VALUE; nullopt: the parent's environ
  std::string root;                             // chroot here first; empty: no chroot
  std::string cwd;                              // chdir here (inside root); empty: "/" if root
  std::optional<Credentials> credentials;       // nullopt: keep the parent's
  std::array<int, 3> stdio = {-1, -1, -1};      // fds put on 0, 1, 2; -1 keeps the parent's
  Session session = Session::inherit;
  ParentDeath parent_death = ParentDeath::ignore;
  InheritFds inherit_fds = InheritFds::all;
  /// Socket activation: fds 3..3+listen_fds-1 are the sockets systemd passed; they survive the
  /// exec (also with stdio_only) and the child's `env` gets LISTEN_FDS=<n> and LISTEN_PID=<its
  /// pid>. 0: nothing passed on.
  int listen_fds = 0;
  ChildHook hook = nullptr;
  void* hook_context = nullptr;
  /// Runs after chroot, before setgroups/setgid/setuid: for what needs the parent's privileges
  /// (dropping the capability bounding set needs CAP_SETPCAP). Same rules as `hook`.
  ChildHook before_credentials_hook = nullptr;
  void* before_credentials_context = nullptr;
  std::string description;  // appended to errors, e.g. ` in app "web"`
  int cgroup_dir = -1;      // a cgroup v2 directory the child is born in (fork_into_cgroup)
};

/// Forks and execs; returns the child's pid once the exec succeeded. If a step in the child fails
/// the child is reaped and the error says which step: `exec of "/bin/x" in app "a" failed: No such
/// file or directory`. Signal mask and dispositions are reset to defaults in the child.
Result<pid_t> spawn(const SpawnOptions& options);

/// waitpid(2) for one child (retrying on EINTR); returns exit_status_from_wait of it.
Result<int> wait_for_exit(pid_t pid);
/// 0-255 for a normal exit, 128+N for a death by signal N (as shells report it).
int exit_status_from_wait(int wait_status);

}  // namespace rkt::sys

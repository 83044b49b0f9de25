#include "sys/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>

#include "sys/fork_into_cgroup.hpp"
#include "util/unique_fd.hpp"

extern char** environ;

namespace rkt::sys {

void ChildFailure::append(const char* text) {
  size_t used = ::strnlen(message, sizeof message);
  size_t room = sizeof message - 1 - used;
  size_t len = ::strnlen(text, room);
  std::memcpy(message + used, text, len);
  message[used + len] = '\0';
}

void ChildFailure::append_number(long number) {
  char digits[24];
  char* end = digits + sizeof digits;
  char* p = end;
  *--p = '\0';
  unsigned long value = number < 0 ? 0UL - static_cast<unsigned long>(number) : number;
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  if (number < 0) *--p = '-';
  append(p);
}

namespace {

/// The set-up step that failed in the child, sent to the parent with its errno.
enum class Step : int {
  signals,
  parent_death,
  session,
  stdio,
  fds,
  tty,
  chroot,
  groups,
  gid,
  uid,
  cwd,
  hook,
  exec
};

struct Report {
  Step step = Step::exec;
  ChildFailure failure;
};

/// Room for "LISTEN_PID=" and a pid's digits, written by the child (which alone knows its pid).
constexpr size_t k_listen_pid_size = 32;

/// C views of SpawnOptions, built before fork so the child only makes system calls.
struct Prepared {
  std::vector<char*> argv;
  std::vector<char*> env;
  const char* path = nullptr;
  char** envp = nullptr;
  std::string listen_fds_env;              // "LISTEN_FDS=<n>"
  std::unique_ptr<char[]> listen_pid_env;  // "LISTEN_PID=<pid>", completed in the child
};

Prepared prepare(const SpawnOptions& options) {
  Prepared prepared;
  for (const auto& arg : options.argv) prepared.argv.push_back(const_cast<char*>(arg.c_str()));
  prepared.argv.push_back(nullptr);
  prepared.path = options.path.empty() ? options.argv[0].c_str() : options.path.c_str();
  if (options.env) {
    for (const auto& entry : *options.env) prepared.env.push_back(const_cast<char*>(entry.c_str()));
    if (options.listen_fds > 0) {
      prepared.listen_fds_env = "LISTEN_FDS=" + std::to_string(options.listen_fds);
      prepared.listen_pid_env = std::make_unique<char[]>(k_listen_pid_size);
      std::memcpy(prepared.listen_pid_env.get(), "LISTEN_PID=", 12);
      prepared.env.push_back(nullptr);  // LISTEN_FDS: pointed at once `prepared` has settled
      prepared.env.push_back(prepared.listen_pid_env.get());
    }
    prepared.env.push_back(nullptr);
  }
  return prepared;
}

/// Points the C views at strings that live in `prepared` itself, once it has stopped moving.
void settle(Prepared& prepared, const SpawnOptions& options) {
  if (!options.env) return;
  if (options.listen_fds > 0) {
    prepared.env[options.env->size()] = prepared.listen_fds_env.data();
  }
  prepared.envp = prepared.env.data();
}

/// Completes LISTEN_PID with the child's pid: digits only, no allocation.
void write_listen_pid(char* entry) {
  char digits[16];
  int n = 0;
  for (long pid = ::getpid(); pid > 0 && n < 15; pid /= 10)
    digits[n++] = static_cast<char>('0' + pid % 10);
  char* out = entry + 11;  // after "LISTEN_PID="
  while (n > 0) *out++ = digits[--n];
  *out = '\0';
}

/// Keeps the socket-activation fds across the exec and closes (on exec) the rest above stdio.
bool keep_listen_fds(int count) {
  for (int fd = 3; fd < 3 + count; ++fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0 || ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) != 0) return false;
  }
  return ::close_range(static_cast<unsigned>(3 + count), ~0U, CLOSE_RANGE_CLOEXEC) == 0;
}

[[noreturn]] void fail_child(int channel, Step step, int err,
                             const ChildFailure* failure = nullptr) {
  Report report;
  report.step = step;
  if (failure) {
    report.failure = *failure;
  } else {
    report.failure.sys_errno = err;
  }
  ssize_t ignored = ::write(channel, &report, sizeof report);
  (void)ignored;
  ::_exit(127);
}

bool reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  if (::sigprocmask(SIG_SETMASK, &none, nullptr) != 0) return false;
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::sigaction(sig, &dfl, nullptr);  // fails harmlessly for the signals glibc reserves
  }
  return true;
}

/// Puts options.stdio on 0, 1 and 2, moving sources out of the way first so that a source that is
/// itself 0-2 is not clobbered.
bool install_stdio(const std::array<int, 3>& stdio) {
  int moved[3] = {-1, -1, -1};
  for (int i = 0; i < 3; ++i) {
    if (stdio[i] < 0) continue;
    moved[i] = ::fcntl(stdio[i], F_DUPFD_CLOEXEC, 3);
    if (moved[i] < 0) return false;
  }
  for (int i = 0; i < 3; ++i) {
    if (moved[i] >= 0 && ::dup2(moved[i], i) < 0) return false;
  }
  for (int fd : moved) {
    if (fd >= 0) ::close(fd);
  }
  return true;
}

[[noreturn]] void run_child(const SpawnOptions& options, const Prepared& prepared, int channel) {
  if (!reset_signals()) fail_child(channel, Step::signals, errno);
  if (options.parent_death == ParentDeath::kill_child && ::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    fail_child(channel, Step::parent_death, errno);
  }
  if (options.session != Session::inherit && ::setsid() < 0)
    fail_child(channel, Step::session, errno);
  if (!install_stdio(options.stdio)) fail_child(channel, Step::stdio, errno);
  if (options.listen_fds > 0) {
    if (!keep_listen_fds(options.listen_fds)) fail_child(channel, Step::fds, errno);
    if (prepared.listen_pid_env) write_listen_pid(prepared.listen_pid_env.get());
  } else if (options.inherit_fds == InheritFds::stdio_only &&
             ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    fail_child(channel, Step::fds, errno);
  }
  if (options.session == Session::new_session_with_tty && ::ioctl(0, TIOCSCTTY, 0) != 0) {
    fail_child(channel, Step::tty, errno);
  }
  if (!options.root.empty() && (::chroot(options.root.c_str()) != 0 || ::chdir("/") != 0)) {
    fail_child(channel, Step::chroot, errno);
  }
  if (options.before_credentials_hook) {
    ChildFailure failure;
    if (!options.before_credentials_hook(options.before_credentials_context, failure)) {
      fail_child(channel, Step::hook, 0, &failure);
    }
  }
  if (options.credentials) {
    const auto& creds = *options.credentials;
    if (::setgroups(creds.groups.size(), creds.groups.data()) != 0) {
      fail_child(channel, Step::groups, errno);
    }
    if (::setresgid(creds.gid, creds.gid, creds.gid) != 0) fail_child(channel, Step::gid, errno);
    if (::setresuid(creds.uid, creds.uid, creds.uid) != 0) fail_child(channel, Step::uid, errno);
  }
  if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0)
    fail_child(channel, Step::cwd, errno);
  if (options.hook) {
    ChildFailure failure;
    if (!options.hook(options.hook_context, failure)) fail_child(channel, Step::hook, 0, &failure);
  }
  ::execve(prepared.path, prepared.argv.data(), prepared.envp ? prepared.envp : environ);
  fail_child(channel, Step::exec, errno);
}

std::string describe(Step step, const SpawnOptions& options, const char* path) {
  switch (step) {
    case Step::signals:
      return "resetting signals";
    case Step::parent_death:
      return "setting the parent-death signal";
    case Step::session:
      return "setsid";
    case Step::stdio:
      return "setting up stdin/stdout/stderr";
    case Step::fds:
      return "marking inherited descriptors close-on-exec";
    case Step::tty:
      return "making stdin the controlling terminal";
    case Step::chroot:
      return fmt::format("chroot into \"{}\"", options.root);
    case Step::groups:
      return "setgroups";
    case Step::gid:
      return fmt::format("setgid({})", options.credentials->gid);
    case Step::uid:
      return fmt::format("setuid({})", options.credentials->uid);
    case Step::cwd:
      return fmt::format("chdir to working directory \"{}\"", options.cwd);
    case Step::hook:
      return "";
    case Step::exec:
      return fmt::format("exec of \"{}\"", path);
  }
  return "?";
}

Error error_of(const Report& report, const SpawnOptions& options, const char* path) {
  int err = report.failure.sys_errno;
  if (report.step == Step::hook) {  // the hook's message is complete
    std::string message(report.failure.message);
    if (err == 0) return Error{ErrorKind::io, 0, message};
    return Error::from_errno_message(err, message);
  }
  std::string what = describe(report.step, options, path) + options.description + " failed";
  return Error::from_errno_message(err, what);
}

/// A socketpair whose fds are above 2, so installing stdio in the child never lands on them.
Result<std::pair<UniqueFd, UniqueFd>> make_channel() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
    return Error::from_errno(errno, "socketpair");
  }
  UniqueFd ends[2] = {UniqueFd(fds[0]), UniqueFd(fds[1])};
  for (auto& end : ends) {
    if (end.get() > 2) continue;
    int high = ::fcntl(end.get(), F_DUPFD_CLOEXEC, 3);
    if (high < 0) return Error::from_errno(errno, "dup");
    end.reset(high);
  }
  return std::make_pair(std::move(ends[0]), std::move(ends[1]));
}

}  // namespace

Result<pid_t> spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return Error::make(ErrorKind::invalid_argument, "spawn: empty argv");
  Prepared prepared = prepare(options);
  settle(prepared, options);
  RKT_TRY_ASSIGN(auto channel, make_channel());
  pid_t pid = fork_into_cgroup(options.cgroup_dir);
  if (pid < 0) return Error::from_errno(errno, "fork");
  if (pid == 0) {
    channel.first.reset();
    run_child(options, prepared, channel.second.get());
  }
  channel.second.reset();
  Report report;
  ssize_t n;
  do {
    n = ::read(channel.first.get(), &report, sizeof report);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return pid;  // EOF: the exec closed the child's end
  int ignored;
  while (::waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
  }
  return error_of(report, options, prepared.path);
}

int exit_status_from_wait(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

Result<int> wait_for_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Error::from_errno(errno, "waitpid({})", pid);
  }
  return exit_status_from_wait(status);
}

}  // namespace rkt::sys

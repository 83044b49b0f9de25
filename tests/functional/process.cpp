#include "process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

extern char** environ;

namespace rkt::functional {

namespace {

/// Children a Child object owns; reap_orphans() must not steal their exit status.
std::mutex g_tracked_mutex;
std::set<pid_t> g_tracked;

void track(pid_t pid) {
  std::lock_guard lock(g_tracked_mutex);
  g_tracked.insert(pid);
}

void untrack(pid_t pid) {
  std::lock_guard lock(g_tracked_mutex);
  g_tracked.erase(pid);
}

bool tracked(pid_t pid) {
  std::lock_guard lock(g_tracked_mutex);
  return g_tracked.count(pid) != 0;
}

/// Orphaned descendants are re-parented to us rather than to PID 1 (see reap_orphans()).
[[maybe_unused]] const bool g_subreaper = ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;

struct ProcStat {
  pid_t pid = 0;
  std::string comm;
  char state = '?';
  pid_t ppid = 0;
};

/// Our direct children, from /proc/<pid>/stat ("pid (comm) state ppid ...").
std::vector<ProcStat> own_children() {
  std::vector<ProcStat> children;
  pid_t self = ::getpid();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string line;
    if (!std::getline(in, line)) continue;
    auto open = line.find('(');
    auto close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 4 > line.size()) {
      continue;
    }
    ProcStat stat;
    stat.pid = std::stoi(name);
    stat.comm = line.substr(open + 1, close - open - 1);
    stat.state = line[close + 2];
    stat.ppid = std::atoi(line.c_str() + close + 4);
    if (stat.ppid == self) children.push_back(stat);
  }
  return children;
}

/// An anonymous temporary file (O_TMPFILE), so nothing is left behind if a test dies.
int anonymous_file() {
  const char* tmp = std::getenv("TMPDIR");
  int fd = ::open(tmp && *tmp ? tmp : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(std::string("O_TMPFILE: ") + std::strerror(errno));
  return fd;
}

std::string read_all(int fd) {
  std::string content;
  ::lseek(fd, 0, SEEK_SET);
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  return content;
}

void write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("write: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

/// Our environment with `extra` entries added, replacing same-named ones.
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& x : extra) replaced |= x.substr(0, x.find('=')) == name;
    if (!replaced) env.push_back(std::move(entry));
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

/// Everything the child needs, prepared before fork: after fork the child only makes syscalls.
struct ChildSetup {
  std::vector<std::string> argv_strings;
  std::vector<std::string> env_strings;
  std::vector<char*> argv;
  std::vector<char*> envp;
  int stdin_fd = -1;
  int out_fd = -1;
  int err_fd = -1;
  const ProcOptions* options = nullptr;
};

[[noreturn]] void child_fail(const char* what) {
  const char* reason = std::strerror(errno);
  ssize_t ignored = ::write(STDERR_FILENO, what, std::strlen(what));
  ignored = ::write(STDERR_FILENO, ": ", 2);
  ignored = ::write(STDERR_FILENO, reason, std::strlen(reason));
  ignored = ::write(STDERR_FILENO, "\n", 1);
  (void)ignored;
  ::_exit(127);
}

[[noreturn]] void exec_child(const ChildSetup& setup) {
  // A session of its own: no controlling terminal (so "is stdin a tty?" is honestly no) and a
  // process group we can kill as a whole.
  ::setsid();
  if (::dup2(setup.stdin_fd, STDIN_FILENO) < 0 || ::dup2(setup.out_fd, STDOUT_FILENO) < 0 ||
      ::dup2(setup.err_fd, STDERR_FILENO) < 0) {
    child_fail("dup2");
  }
  const ProcOptions& options = *setup.options;
  if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) child_fail("chdir");
  if (options.as_user) {
    const Credentials& c = *options.as_user;
    // Order matters: groups and gid while we still have CAP_SETGID, the uid last.
    if (::setgroups(c.groups.size(), c.groups.data()) != 0) child_fail("setgroups");
    if (::setgid(c.gid) != 0) child_fail("setgid");
    if (::setuid(c.uid) != 0) child_fail("setuid");
  }
  ::execvpe(setup.argv[0], setup.argv.data(), setup.envp.data());
  child_fail(setup.argv[0]);
}

}  // namespace

Child::Child(pid_t pid, int out_fd, int err_fd, std::chrono::milliseconds timeout)
    : m_pid(pid),
      m_out_fd(out_fd),
      m_err_fd(err_fd),
      m_timeout(timeout),
      m_started(std::chrono::steady_clock::now()) {}

Child::Child(Child&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)),
      m_out_fd(std::exchange(other.m_out_fd, -1)),
      m_err_fd(std::exchange(other.m_err_fd, -1)),
      m_timeout(other.m_timeout),
      m_started(other.m_started) {}

Child::~Child() {
  if (m_pid > 0) {
    kill(SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    untrack(m_pid);
  }
  if (m_out_fd >= 0) ::close(m_out_fd);
  if (m_err_fd >= 0) ::close(m_err_fd);
}

Child Child::spawn(const std::vector<std::string>& argv, const ProcOptions& options) {
  if (argv.empty()) throw std::runtime_error("spawn: empty argv");
  ChildSetup setup;
  setup.options = &options;
  setup.argv_strings = argv;
  setup.env_strings = child_environment(options.extra_env);
  setup.argv = c_strings(setup.argv_strings);
  setup.envp = c_strings(setup.env_strings);
  if (options.stdin_text) {
    setup.stdin_fd = anonymous_file();
    write_all(setup.stdin_fd, *options.stdin_text);
    ::lseek(setup.stdin_fd, 0, SEEK_SET);
  } else {
    setup.stdin_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  setup.out_fd = anonymous_file();
  setup.err_fd = anonymous_file();

  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) exec_child(setup);
  track(pid);
  ::close(setup.stdin_fd);
  return Child(pid, setup.out_fd, setup.err_fd, options.timeout);
}

void Child::kill(int signal) const {
  if (m_pid <= 0) return;
  // Right after fork the child may not have called setsid() yet: then signal it alone.
  if (::kill(-m_pid, signal) != 0) ::kill(m_pid, signal);
}

ProcResult Child::wait() {
  if (m_pid <= 0) throw std::runtime_error("wait: child already reaped");
  ProcResult result;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(m_pid, &status, WNOHANG);
    if (r == m_pid) break;
    if (r < 0 && errno != EINTR) throw std::runtime_error("waitpid failed");
    if (std::chrono::steady_clock::now() - m_started > m_timeout) {
      result.timed_out = true;
      kill(SIGKILL);
      ::waitpid(m_pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  untrack(m_pid);
  m_pid = -1;
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  result.out = read_all(m_out_fd);
  result.err = read_all(m_err_fd);
  return result;
}

ProcResult run_process(const std::vector<std::string>& argv, const ProcOptions& options) {
  return Child::spawn(argv, options).wait();
}

namespace {

/// Feeds the dialogue as its expected texts appear in `output`; returns false once all is sent.
class PtyDialogue {
 public:
  explicit PtyDialogue(const std::vector<PtyStep>& steps) : m_steps(steps) {}
  bool pending() const { return m_next < m_steps.size(); }
  void advance(int master, const std::string& output) {
    while (pending()) {
      const PtyStep& step = m_steps[m_next];
      size_t found = step.expect.empty() ? m_from : output.find(step.expect, m_from);
      if (found == std::string::npos) return;
      m_from = found + step.expect.size();
      write_all(master, step.send);
      ++m_next;
    }
  }

 private:
  const std::vector<PtyStep>& m_steps;
  size_t m_next = 0;
  size_t m_from = 0;
};

enum class PtyRead { data, idle, closed };

/// Reads what the terminal has within `wait_ms`; `closed` once every slave descriptor is closed
/// (read fails with EIO).
PtyRead read_pty(int master, std::string& output, int wait_ms) {
  pollfd pfd{master, POLLIN, 0};
  if (::poll(&pfd, 1, wait_ms) <= 0) return PtyRead::idle;
  char buffer[4096];
  ssize_t n = ::read(master, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return PtyRead::idle;
  if (n <= 0) return PtyRead::closed;
  output.append(buffer, static_cast<size_t>(n));
  return PtyRead::data;
}

}  // namespace

ProcResult run_in_pty(const std::vector<std::string>& argv, const std::vector<PtyStep>& steps,
                      std::chrono::milliseconds timeout) {
  if (argv.empty()) throw std::runtime_error("run_in_pty: empty argv");
  std::vector<std::string> strings = argv;
  std::vector<char*> c_argv = c_strings(strings);
  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) throw std::runtime_error(std::string("forkpty: ") + std::strerror(errno));
  if (pid == 0) {
    ::execvp(c_argv[0], c_argv.data());
    child_fail(c_argv[0]);
  }
  track(pid);
  ::fcntl(master, F_SETFD, FD_CLOEXEC);
  ProcResult result;
  PtyDialogue dialogue(steps);
  auto started = std::chrono::steady_clock::now();
  int status = 0;
  bool exited = false;
  bool open = true;
  while (!exited) {
    if (open) open = read_pty(master, result.out, 20) != PtyRead::closed;
    dialogue.advance(master, result.out);
    exited = ::waitpid(pid, &status, WNOHANG) == pid;
    if (!open && !exited) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!exited && std::chrono::steady_clock::now() - started > timeout) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      exited = true;
    }
  }
  // What the process wrote just before exiting may still be in the terminal's buffer.
  for (int i = 0; open && i < 1000 && read_pty(master, result.out, 50) == PtyRead::data; ++i) {
  }
  ::close(master);
  untrack(pid);
  result.timed_out |= dialogue.pending();
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

void reap_orphans() {
  for (const auto& child : own_children()) {
    if (child.state == 'Z' && !tracked(child.pid)) ::waitpid(child.pid, nullptr, WNOHANG);
  }
}

std::vector<std::string> live_children(std::string_view comm) {
  std::vector<std::string> cmdlines;
  for (const auto& child : own_children()) {
    if (child.state == 'Z' || child.comm != comm) continue;
    std::ifstream in("/proc/" + std::to_string(child.pid) + "/cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    cmdlines.push_back(cmdline);
  }
  return cmdlines;
}

std::string describe(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line += ' ';
    bool plain = !arg.empty() && arg.find_first_of(" \t'\"\\$") == std::string::npos;
    line += plain ? arg : "'" + arg + "'";
  }
  return line;
}

std::string run_checked(const std::vector<std::string>& argv, const ProcOptions& options) {
  ProcResult r = run_process(argv, options);
  if (r.exit_code != 0) {
    throw std::runtime_error(describe(argv) + " exited " + std::to_string(r.exit_code) +
                             (r.timed_out ? " (timed out)" : "") + "\nstdout:\n" + r.out +
                             "\nstderr:\n" + r.err);
  }
  return r.out;
}

}  // namespace rkt::functional

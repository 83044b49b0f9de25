#pragma once

// Runs programs for the functional tests: fork/exec with stdout and stderr captured, optional
// stdin text, optional credentials (setgroups/setgid/setuid in the child) and a timeout.
// Setup failures throw std::runtime_error, which GoogleTest reports as a failed test.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rkt::functional {

namespace fs = std::filesystem;

/// What a finished process left behind. exit_code is 128+signal when it was killed.
struct ProcResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  bool timed_out = false;
  /// stdout then stderr, for assertions that don't care which stream carried a message.
  std::string all() const { return out + err; }
};

/// A user (and its groups) to run a child as.
struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string home = "/";
};

struct ProcOptions {
  std::optional<std::string> stdin_text;  ///< fed through a file; otherwise stdin is /dev/null
  std::optional<Credentials> as_user;
  std::vector<std::string> extra_env;  ///< "NAME=value", added to (or replacing in) our environ
  std::chrono::milliseconds timeout = std::chrono::seconds(120);
  fs::path cwd;  ///< empty: inherit
};

/// A started child. Output goes to unlinked temporary files, so many children can run at once
/// without anyone draining pipes. The destructor SIGKILLs and reaps a child still running.
class Child {
 public:
  static Child spawn(const std::vector<std::string>& argv, const ProcOptions& options = {});
  Child(Child&& other) noexcept;
  Child& operator=(Child&&) = delete;
  Child(const Child&) = delete;
  ~Child();

  pid_t pid() const { return m_pid; }
  /// Sends `signal` to the child's process group (the child runs in its own session).
  void kill(int signal) const;
  /// Waits for the exit (killing the child after the timeout) and collects its output.
  ProcResult wait();

 private:
  Child(pid_t pid, int out_fd, int err_fd, std::chrono::milliseconds timeout);
  pid_t m_pid = -1;
  int m_out_fd = -1;
  int m_err_fd = -1;
  std::chrono::milliseconds m_timeout;
  std::chrono::steady_clock::time_point m_started;
};

/// One step of a terminal dialogue: wait until `expect` shows up in the terminal's output (after
/// what the previous step matched; empty: don't wait), then type `send`.
struct PtyStep {
  std::string expect;
  std::string send;
};

/// Runs argv on a new pseudo-terminal (its stdin, stdout, stderr and controlling terminal, as a
/// shell would give it), plays `steps` and collects what the terminal showed until the process
/// exits: `out` is the terminal output ("\r\n" line ends), `err` is empty, `timed_out` also
/// reports a step whose text never came.
ProcResult run_in_pty(const std::vector<std::string>& argv, const std::vector<PtyStep>& steps,
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// Runs argv to completion.
ProcResult run_process(const std::vector<std::string>& argv, const ProcOptions& options = {});

/// Runs argv and throws (with its output) unless it exits 0; for setup steps (tar, gpg, ...).
std::string run_checked(const std::vector<std::string>& argv, const ProcOptions& options = {});

/// Reaps zombies that were re-parented to us: the test binary is a child subreaper, so daemons
/// our children start (gpg-agent) come back to us instead of to an init that may not reap them.
void reap_orphans();
/// Command lines (arguments joined by spaces) of our live, non-zombie children running the program
/// named `comm`; with the subreaper, that includes daemons a finished child left behind.
std::vector<std::string> live_children(std::string_view comm);

/// "a b 'c d'": argv as one line for failure messages.
std::string describe(const std::vector<std::string>& argv);

}  // namespace rkt::functional

#include <signal.h>

#include <charconv>

#include "stage1/args.hpp"
#include "stage1/entrypoints.hpp"
#include "stage1/paths.hpp"
#include "stage1/report.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::stage1 {

namespace {

Result<pid_t> read_pid_file(const std::filesystem::path& path) {
  RKT_TRY_ASSIGN(auto text, util::read_file(path));
  auto trimmed = util::trim(text);
  pid_t pid = 0;
  auto [ptr, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), pid);
  if (ec != std::errc() || ptr != trimmed.data() + trimmed.size() || pid <= 0) {
    return Error::make(ErrorKind::invalid_argument, "invalid pid file `{}`: \"{}\"", path.string(),
                       trimmed);
  }
  return pid;
}

Result<void> stop(const StopArgs& args) {
  RKT_TRY_ASSIGN(pid_t pid, read_pid_file(k_pid_file));
  int sig = args.force ? SIGKILL : SIGTERM;
  if (::kill(pid, sig) != 0 && errno != ESRCH) {  // ESRCH: already gone, which is what we want
    return Error::from_errno(errno, "send signal {} to the pod's PID 1 ({})", sig, pid);
  }
  return {};
}

}  // namespace

int stop_main(const std::vector<std::string>& raw_args) {
  auto args = parse_stop_args(raw_args);
  if (!args) {
    report("stop: {}", args.error().message);
    return k_exit_failure;
  }
  if (auto stopped = stop(*args); !stopped) {
    report("stop: {}", stopped.error().message);
    return k_exit_failure;
  }
  return 0;
}

}  // namespace rkt::stage1

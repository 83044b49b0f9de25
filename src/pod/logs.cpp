#include "pod/logs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

namespace rkt::pod {

namespace fs = std::filesystem;

namespace {

/// How often --follow looks for new lines and for the pod's exit.
constexpr auto k_follow_interval = std::chrono::milliseconds(100);

/// One app's log as followed: the open current file and the unfinished last line.
struct AppLog {
  std::string app;
  std::string prefix;  // "<app>: " with several apps
  fs::path relative;   // stage1/rootfs/rkt/logs/<app>, relative to the pod directory
  UniqueFd fd;
  ino_t ino = 0;
  std::string pending;  // bytes after the last '\n' read so far
};

std::string read_to_end(int fd) {
  std::string content;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return content;
    content.append(buffer, static_cast<size_t>(n));
  }
}

/// Opens the app's current log file if it exists (and is not the one already open).
bool open_current(const Pod& pod, AppLog& log) {
  UniqueFd fd(::openat(pod.dir_fd(), log.relative.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0) return false;
  log.fd = std::move(fd);
  log.ino = st.st_ino;
  return true;
}

/// Whether the path now names another file than the open one (stage1 rotated it).
bool rotated(const Pod& pod, const AppLog& log) {
  struct stat st {};
  if (::fstatat(pod.dir_fd(), log.relative.c_str(), &st, 0) != 0) return false;
  return !log.fd || st.st_ino != log.ino;
}

/// Writes the complete lines of `log.pending + data`, keeping the unfinished rest.
void emit(AppLog& log, std::string_view data, std::ostream& out) {
  log.pending.append(data);
  size_t start = 0;
  for (size_t nl; (nl = log.pending.find('\n', start)) != std::string::npos; start = nl + 1) {
    out << log.prefix;
    out.write(log.pending.data() + start, static_cast<std::streamsize>(nl + 1 - start));
  }
  log.pending.erase(0, start);
}

void flush_pending(AppLog& log, std::ostream& out) {
  if (!log.pending.empty()) out << log.prefix << log.pending << '\n';
  log.pending.clear();
}

/// The last `count` lines of `text` (all if 0), as one string.
std::string_view last_lines(std::string_view text, size_t count) {
  if (count == 0) return text;
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;  // the final newline ends the last line
  size_t pos = end;
  for (size_t seen = 0; pos > 0; --pos) {
    if (text[pos - 1] == '\n' && ++seen == count) break;
  }
  return text.substr(pos);
}

/// Prints what the app's log holds now (<app>.1 then <app>), or its last lines; returns
/// whether any log file exists.
bool print_existing(const Pod& pod, AppLog& log, size_t lines, std::ostream& out) {
  bool found = open_current(pod, log);
  std::string text;
  auto rotated_path = log.relative.string() + ".1";
  if (UniqueFd old(::openat(pod.dir_fd(), rotated_path.c_str(), O_RDONLY | O_CLOEXEC)); old) {
    text = read_to_end(old.get());
    found = true;
  }
  if (log.fd) text += read_to_end(log.fd.get());
  emit(log, last_lines(text, lines), out);
  return found;
}

/// Reads what was appended since the last call, moving to the new file after a rotation.
void poll_once(const Pod& pod, AppLog& log, std::ostream& out) {
  if (log.fd) emit(log, read_to_end(log.fd.get()), out);
  if (rotated(pod, log) && open_current(pod, log)) emit(log, read_to_end(log.fd.get()), out);
}

/// Whether the pod may still write logs: it runs, or is on its way to running.
bool still_active(const Pod& pod) {
  auto now = Pod::load(pod.pods_dir(), pod.uuid());
  if (!now) return false;
  auto state = now->state();
  return state == PodState::running || state == PodState::embryo || state == PodState::preparing ||
         state == PodState::prepared;
}

void follow(const Pod& pod, std::vector<AppLog>& logs, const std::function<bool()>& keep_going,
            std::ostream& out) {
  while (!keep_going || keep_going()) {
    // Check first, drain after: a pod seen exited has written its last line already.
    bool active = still_active(pod);
    for (auto& log : logs) poll_once(pod, log, out);
    out.flush();
    if (!active) return;
    std::this_thread::sleep_for(k_follow_interval);
  }
}

Result<std::vector<std::string>> selected_apps(const Pod& pod, const LogsOptions& options) {
  RKT_TRY_ASSIGN(auto apps, pod.app_names());
  if (!options.app) return apps;
  if (std::find(apps.begin(), apps.end(), *options.app) == apps.end()) {
    return Error::make(ErrorKind::not_found, "pod \"{}\" has no app \"{}\"", pod.uuid(),
                       *options.app);
  }
  return std::vector<std::string>{*options.app};
}

}  // namespace

Result<void> read_logs(const Pod& pod, const LogsOptions& options, std::ostream& out) {
  RKT_TRY_ASSIGN(auto apps, selected_apps(pod, options));
  std::vector<AppLog> logs;
  const PodPaths relative{fs::path()};
  for (const auto& app : apps) {
    logs.push_back(
        AppLog{app, apps.size() > 1 ? app + ": " : "", relative.app_log(app), {}, 0, {}});
  }
  const bool following = options.follow == Follow::yes && still_active(pod);
  bool any = false;
  for (auto& log : logs) {
    any = print_existing(pod, log, options.lines, out) || any;
    if (!following) flush_pending(log, out);  // before the next app's lines
  }
  if (following) {
    follow(pod, logs, options.keep_following, out);
  } else if (!any) {
    return Error::make(ErrorKind::not_found,
                       "pod \"{}\" has no logs (apps run with --interactive keep none)",
                       pod.uuid());
  }
  for (auto& log : logs) flush_pending(log, out);
  out.flush();
  return {};
}

}  // namespace rkt::pod

// Pod's readers of the files in a pod directory (see docs/devel/pod-lifecycle.md).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "appc/manifest.hpp"
#include "pod/pod.hpp"
#include "util/strings.hpp"

namespace rkt::pod {

namespace fs = std::filesystem;

namespace {

util::Clock::time_point to_time_point(const struct timespec& ts) {
  auto since_epoch = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  return util::Clock::time_point(std::chrono::duration_cast<util::Clock::duration>(since_epoch));
}

std::optional<long> parse_number(std::string_view text) {
  text = util::trim(text);
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

Result<std::string> read_fd(int fd, const fs::path& path) {
  std::string content;
  char buffer[8192];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "read `{}`", path.string());
    if (n == 0) return content;
    content.append(buffer, static_cast<size_t>(n));
  }
}

/// The only child of `ppid` (/proc/<ppid>/task/<ppid>/children), for stage1s writing `ppid`.
Result<pid_t> single_child(pid_t ppid) {
  auto path = fmt::format("/proc/{}/task/{}/children", ppid, ppid);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", path);
  RKT_TRY_ASSIGN(auto content, read_fd(fd.get(), path));
  auto children = util::split(util::trim(content), ' ');
  if (children.size() > 1) {
    return Error::make(ErrorKind::conflict, "too many children of pid {}", ppid);
  }
  auto pid = children.empty() ? std::nullopt : parse_number(children.front());
  if (!pid) return Error::make(ErrorKind::not_found, "pid {} has no child yet", ppid);
  return static_cast<pid_t>(*pid);
}

}  // namespace

Result<UniqueFd> Pod::open_relative(const fs::path& relative, int flags) const {
  UniqueFd fd(::openat(m_dir_fd.get(), relative.c_str(), flags | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", (dir() / relative).string());
  return fd;
}

Result<std::string> Pod::read_relative(const fs::path& relative) const {
  RKT_TRY_ASSIGN(auto fd, open_relative(relative, O_RDONLY));
  return read_fd(fd.get(), dir() / relative);
}

std::optional<util::Clock::time_point> Pod::mtime_relative(const fs::path& relative) const {
  struct stat st {};
  if (::fstatat(m_dir_fd.get(), relative.c_str(), &st, 0) != 0) return std::nullopt;
  return to_time_point(st.st_mtim);
}

Result<std::string> Pod::manifest_json() const {
  auto json = read_relative(m_relative.manifest());
  if (!json) return std::move(json).error().wrap("reading the manifest of pod \"{}\"", m_uuid);
  return json;
}

Result<appc::PodManifest> Pod::manifest() const {
  if (m_manifest) return *m_manifest;
  RKT_TRY_ASSIGN(auto json, manifest_json());
  auto parsed = appc::parse_pod_manifest(json);
  if (!parsed) return std::move(parsed).error().wrap("invalid manifest of pod \"{}\"", m_uuid);
  m_manifest = std::move(*parsed);
  return *m_manifest;
}

Result<std::vector<std::string>> Pod::app_names() const {
  RKT_TRY_ASSIGN(auto parsed, manifest());
  std::vector<std::string> names;
  for (const auto& app : parsed.apps) names.push_back(app.name);
  return names;
}

Result<AppImage> Pod::app_image(std::string_view app) const {
  RKT_TRY_ASSIGN(auto json, read_relative(m_relative.app_image_manifest(app)));
  auto parsed = appc::parse_image_manifest(json);
  if (!parsed) return std::move(parsed).error().wrap("invalid image manifest of app \"{}\"", app);
  AppImage image{std::move(*parsed), {}};
  if (auto id = read_relative(m_relative.app_tree_id(app))) {
    image.tree_store_id = std::string(util::trim(*id));
  } else if (id.error().sys_errno != ENOENT || uses_overlay()) {
    return std::move(id).error().wrap("no tree store ID for app \"{}\"", app);
  }
  return image;
}

std::optional<util::Clock::time_point> Pod::created_time() const {
  if (auto created = mtime_relative(m_relative.created_marker())) return created;
  return mtime_relative(m_relative.manifest());
}

std::optional<util::Clock::time_point> Pod::start_time() const {
  if (auto started = mtime_relative(m_relative.pid())) return started;
  return mtime_relative(m_relative.ppid());
}

std::optional<util::Clock::time_point> Pod::gc_marked_time() const {
  if (m_state_dir != StateDir::exited_garbage && m_state_dir != StateDir::garbage) {
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(m_dir_fd.get(), &st) != 0) return std::nullopt;
  return to_time_point(st.st_ctim);
}

Result<pid_t> Pod::pid() const {
  if (auto text = read_relative(m_relative.pid())) {
    if (auto pid = parse_number(*text); pid && *pid > 0) return static_cast<pid_t>(*pid);
    return Error::make(ErrorKind::invalid_argument, "invalid pid file of pod \"{}\"", m_uuid);
  } else if (text.error().sys_errno != ENOENT) {
    return std::move(text).error();
  }
  auto text = read_relative(m_relative.ppid());
  if (!text && text.error().sys_errno == ENOENT) {
    return Error::make(ErrorKind::not_found, "pod \"{}\" has no pid yet", m_uuid);
  }
  if (!text) return std::move(text).error();
  auto ppid = parse_number(*text);
  if (!ppid || *ppid <= 0) {
    return Error::make(ErrorKind::invalid_argument, "invalid ppid file of pod \"{}\"", m_uuid);
  }
  return single_child(static_cast<pid_t>(*ppid));
}

std::optional<int> Pod::app_exit_status(std::string_view app) const {
  auto text = read_relative(m_relative.app_status(app));
  if (!text) return std::nullopt;
  auto status = parse_number(*text);
  if (!status) return std::nullopt;
  return static_cast<int>(*status);
}

bool Pod::is_supervisor_ready() const {
  char target[64];
  ssize_t n =
      ::readlinkat(m_dir_fd.get(), m_relative.supervisor_status().c_str(), target, sizeof target);
  return n > 0 && std::string_view(target, static_cast<size_t>(n)) == "ready";
}

bool Pod::uses_overlay() const {
  struct stat st {};
  return ::fstatat(m_dir_fd.get(), m_relative.overlay_prepared().c_str(), &st, 0) == 0;
}

}  // namespace rkt::pod

#include "sys/cgroups.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <thread>

#include "sys/fork_into_cgroup.hpp"
#include "sys/mount.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::sys {

namespace {

constexpr long k_cgroup_v1_magic = 0x27e0eb;
constexpr long k_cgroup_v2_magic = 0x63677270;

/// v1 super options that are not controllers.
bool is_controller_option(std::string_view option) {
  static constexpr std::string_view k_not_controllers[] = {
      "rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode", "favordynmods"};
  if (std::find(std::begin(k_not_controllers), std::end(k_not_controllers), option) !=
      std::end(k_not_controllers)) {
    return false;
  }
  return option.find('=') == std::string_view::npos || option.starts_with("name=");
}

std::vector<std::string> v1_controllers(std::string_view super_options) {
  std::vector<std::string> controllers;
  for (auto& option : util::split(super_options, ',')) {
    if (is_controller_option(option)) controllers.push_back(option);
  }
  std::sort(controllers.begin(), controllers.end());
  return controllers;
}

/// "/a/b" of a process's cgroup made relative to the mount's root ("/a" mounted: "/b").
std::string relative_to_root(std::string path, std::string_view mount_root) {
  if (mount_root.empty() || mount_root == "/") return path;
  if (path == mount_root) return "/";
  if (path.starts_with(mount_root) && path[mount_root.size()] == '/') {
    return path.substr(mount_root.size());
  }
  return path;
}

/// The caller's path in the hierarchy whose controllers (sorted; empty for v2) are `wanted`.
std::string own_path(std::string_view self_cgroup, CgroupVersion version,
                     const std::vector<std::string>& wanted) {
  for (auto& line : util::split(self_cgroup, '\n')) {
    auto first = line.find(':');
    auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    std::string_view list = std::string_view(line).substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (version == CgroupVersion::v2) {
      if (line.starts_with("0::")) return path;
      continue;
    }
    auto names = util::split(list, ',');
    std::sort(names.begin(), names.end());
    if (!names.empty() && names == wanted) return path;
  }
  return "/";
}

}  // namespace

bool CgroupHierarchy::has(std::string_view controller) const {
  return std::find(controllers.begin(), controllers.end(), controller) != controllers.end();
}

fs::path CgroupHierarchy::dir(std::string_view path) const {
  while (path.starts_with('/')) path.remove_prefix(1);
  return path.empty() ? mount_point : mount_point / path;
}

CgroupMode CgroupLayout::mode() const {
  bool v1 = false;
  bool v2 = false;
  for (const auto& h : hierarchies) (h.version == CgroupVersion::v1 ? v1 : v2) = true;
  if (v1 && v2) return CgroupMode::hybrid;
  if (v1) return CgroupMode::legacy;
  return v2 ? CgroupMode::unified : CgroupMode::none;
}

const CgroupHierarchy* CgroupLayout::with(std::string_view controller) const {
  for (auto version : {CgroupVersion::v1, CgroupVersion::v2}) {
    for (const auto& h : hierarchies) {
      if (h.version == version && h.has(controller)) return &h;
    }
  }
  return nullptr;
}

const char* cgroup_mode_name(CgroupMode mode) {
  switch (mode) {
    case CgroupMode::none:
      return "none";
    case CgroupMode::legacy:
      return "v1";
    case CgroupMode::hybrid:
      return "hybrid";
    case CgroupMode::unified:
      return "v2";
  }
  return "?";
}

Result<CgroupLayout> parse_cgroup_layout(std::string_view mountinfo, std::string_view self_cgroup) {
  RKT_TRY_ASSIGN(auto mounts, parse_mountinfo(mountinfo));
  CgroupLayout layout;
  for (const auto& mount : mounts) {
    CgroupHierarchy h;
    if (mount.fstype == "cgroup2") {
      h.version = CgroupVersion::v2;
    } else if (mount.fstype == "cgroup") {
      h.controllers = v1_controllers(mount.super_options);
      if (h.controllers.empty()) continue;
    } else {
      continue;
    }
    bool seen = std::any_of(layout.hierarchies.begin(), layout.hierarchies.end(), [&](auto& o) {
      return o.version == h.version && o.controllers == h.controllers;
    });
    if (seen) continue;
    h.mount_point = mount.mount_point;
    h.own_path = relative_to_root(own_path(self_cgroup, h.version, h.controllers), mount.root);
    layout.hierarchies.push_back(std::move(h));
  }
  return layout;
}

Result<CgroupLayout> detect_cgroups() {
  RKT_TRY_ASSIGN(auto mountinfo, util::read_file("/proc/self/mountinfo"));
  RKT_TRY_ASSIGN(auto self, util::read_file("/proc/self/cgroup"));
  RKT_TRY_ASSIGN(auto layout, parse_cgroup_layout(mountinfo, self));
  for (auto& h : layout.hierarchies) {
    if (h.version != CgroupVersion::v2) continue;
    auto text = read_cgroup_file(h.mount_point, "cgroup.controllers");
    if (text) h.controllers = util::split(util::trim(*text), ' ');
    std::erase(h.controllers, "");
  }
  return layout;
}

Result<void> make_cgroup(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Error::from_errno(errno, "creating cgroup `{}`", dir.string());
  }
  return {};
}

Result<void> write_cgroup_file(const fs::path& dir, std::string_view file, std::string_view value) {
  fs::path path = dir / file;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "opening `{}`", path.string());
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    return Error::from_errno(errno, "writing \"{}\" to `{}`", value, path.string());
  }
  return {};
}

Result<std::string> read_cgroup_file(const fs::path& dir, std::string_view file) {
  return util::read_file(dir / file);
}

long cgroup_key_value(std::string_view text, std::string_view key) {
  for (auto& line : util::split(text, '\n')) {
    std::string_view rest = line;
    if (!rest.starts_with(key) || rest.size() <= key.size() || rest[key.size()] != ' ') continue;
    rest.remove_prefix(key.size() + 1);
    long value = 0;
    std::from_chars(rest.data(), rest.data() + rest.size(), value);
    return value;
  }
  return 0;
}

bool is_cgroup_dir(const fs::path& dir) {
  struct statfs st {};
  if (::statfs(dir.c_str(), &st) != 0) return false;
  return st.f_type == k_cgroup_v1_magic || st.f_type == k_cgroup_v2_magic;
}

namespace {

/// Removes the cgroups below `dir`; false if it had none.
Result<bool> remove_child_cgroups(const fs::path& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> stream(::opendir(dir.c_str()), &::closedir);
  if (!stream) {
    if (errno == ENOENT) return false;
    return Error::from_errno(errno, "opening cgroup `{}`", dir.string());
  }
  std::vector<std::string> children;
  while (const dirent* entry = ::readdir(stream.get())) {
    std::string_view name = entry->d_name;
    if (entry->d_type == DT_DIR && name != "." && name != "..") children.emplace_back(name);
  }
  stream.reset();
  for (const auto& child : children) RKT_TRY(remove_cgroup_tree(dir / child));
  return !children.empty();
}

}  // namespace

Result<void> remove_cgroup_tree(const fs::path& dir) {
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
    if (errno != EBUSY || attempt == 100) break;
    // Busy: it has child cgroups, or a task that has exited is not yet released. Listing only
    // then saves the common case a listing of the cgroup's many files.
    RKT_TRY_ASSIGN(bool had_children, remove_child_cgroups(dir));
    if (!had_children) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Error::from_errno(errno, "removing cgroup `{}`", dir.string());
}

Result<CgroupEntry> open_cgroup_entry(const fs::path& dir, CgroupVersion version) {
  CgroupEntry entry;
  entry.version = version;
  fs::path path = dir / (version == CgroupVersion::v1 ? "tasks" : "cgroup.procs");
  entry.file.reset(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!entry.file) return Error::from_errno(errno, "opening `{}`", path.string());
  if (version == CgroupVersion::v2) {
    entry.dir.reset(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!entry.dir) return Error::from_errno(errno, "opening `{}`", dir.string());
  }
  return entry;
}

bool join_cgroup(const CgroupEntry& entry) {
  if (entry.version == CgroupVersion::v2 && born_in_cgroup()) return true;
  return ::write(entry.file.get(), "0", 1) == 1;
}

}  // namespace rkt::sys

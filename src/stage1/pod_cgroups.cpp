#include "stage1/pod_cgroups.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "appc/isolator.hpp"
#include "stage1/report.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::stage1 {

namespace {

constexpr int64_t k_cfs_period_us = 100000;
constexpr const char* k_init_cgroup = "init.scope";
constexpr const char* k_apps_cgroup = "system.slice";
constexpr const char* k_machine_slice = "/machine.slice";

const std::vector<appc::Isolator>& isolators_of(const appc::RuntimeApp& app) {
  static const std::vector<appc::Isolator> none;
  return app.app ? app.app->isolators : none;
}

/// Which controllers the apps' limits need.
std::vector<std::string> needed_controllers(const std::vector<AppResources>& resources) {
  std::vector<std::string> needed;
  auto need = [&](const char* controller) {
    if (std::find(needed.begin(), needed.end(), controller) == needed.end()) {
      needed.emplace_back(controller);
    }
  };
  for (const auto& r : resources) {
    if (r.memory_limit_bytes) need("memory");
    if (r.cpu_limit_milli || r.cpu_shares) need("cpu");
  }
  return needed;
}

/// The controllers of `needed` that live in `h` (the hierarchy layout.with() picks for them).
std::vector<std::string> hosted_here(const sys::CgroupLayout& layout, const sys::CgroupHierarchy& h,
                                     const std::vector<std::string>& needed) {
  std::vector<std::string> hosted;
  for (const auto& controller : needed) {
    if (layout.with(controller) == &h) hosted.push_back(controller);
  }
  return hosted;
}

/// v2: enables `controllers` in the subtree of every cgroup from the hierarchy's root (or the
/// caller's cgroup) down to `dir`.
Result<void> delegate(const fs::path& top, const fs::path& dir,
                      const std::vector<std::string>& controllers) {
  if (controllers.empty()) return {};
  std::string value;
  for (const auto& c : controllers) value += (value.empty() ? "+" : " +") + c;
  fs::path at = top;
  RKT_TRY(sys::write_cgroup_file(at, "cgroup.subtree_control", value));
  for (const auto& part : fs::relative(dir, top)) {
    at /= part;
    RKT_TRY(sys::write_cgroup_file(at, "cgroup.subtree_control", value));
  }
  return {};
}

Result<void> write_limits(const sys::CgroupHierarchy& h, const fs::path& dir,
                          const AppResources& r) {
  bool v2 = h.version == sys::CgroupVersion::v2;
  if (r.memory_limit_bytes && h.has("memory")) {
    RKT_TRY(sys::write_cgroup_file(dir, v2 ? "memory.max" : "memory.limit_in_bytes",
                                   std::to_string(*r.memory_limit_bytes)));
  }
  if (r.cpu_limit_milli && h.has("cpu")) {
    int64_t quota = std::max<int64_t>(*r.cpu_limit_milli * k_cfs_period_us / 1000, 1000);
    if (v2) {
      RKT_TRY(sys::write_cgroup_file(dir, "cpu.max", fmt::format("{} {}", quota, k_cfs_period_us)));
    } else {
      RKT_TRY(sys::write_cgroup_file(dir, "cpu.cfs_period_us", std::to_string(k_cfs_period_us)));
      RKT_TRY(sys::write_cgroup_file(dir, "cpu.cfs_quota_us", std::to_string(quota)));
    }
  }
  if (r.cpu_shares && h.has("cpu")) {
    if (v2) {
      RKT_TRY(sys::write_cgroup_file(dir, "cpu.weight",
                                     std::to_string(cpu_weight_of_shares(*r.cpu_shares))));
    } else {
      RKT_TRY(sys::write_cgroup_file(dir, "cpu.shares", std::to_string(*r.cpu_shares)));
    }
  }
  if (h.version == sys::CgroupVersion::v1 && h.has("devices")) {
    RKT_TRY(sys::write_cgroup_file(dir, "devices.deny", "a"));
    for (const auto& rule : app_device_rules()) {
      RKT_TRY(sys::write_cgroup_file(dir, "devices.allow", rule));
    }
  }
  return {};
}

/// The pod's cgroups in one hierarchy: directories, delegation, limits, and the fds.
struct HierarchySetUp {
  fs::path pod_dir;
  std::vector<fs::path> made;  // parents first
  sys::CgroupEntry init_entry;
  std::vector<sys::CgroupEntry> app_entries;
  std::vector<fs::path> app_dirs;
};

Result<HierarchySetUp> set_up_hierarchy(const sys::CgroupLayout& layout,
                                        const sys::CgroupHierarchy& h, std::string_view uuid,
                                        const std::vector<appc::RuntimeApp>& apps,
                                        const std::vector<AppResources>& resources,
                                        const std::vector<std::string>& needed) {
  HierarchySetUp set_up;
  set_up.pod_dir = pod_cgroup_dir(h, uuid);
  fs::path top = h.dir(h.own_path);
  if (h.own_path == "/") RKT_TRY(sys::make_cgroup(h.dir(k_machine_slice)));
  fs::path apps_dir = set_up.pod_dir / k_apps_cgroup;
  set_up.made = {set_up.pod_dir, set_up.pod_dir / k_init_cgroup, apps_dir};
  for (const fs::path& dir : set_up.made) RKT_TRY(sys::make_cgroup(dir));
  if (h.version == sys::CgroupVersion::v2) {
    RKT_TRY(delegate(top, apps_dir, hosted_here(layout, h, needed)));
  }
  RKT_TRY_ASSIGN(set_up.init_entry,
                 sys::open_cgroup_entry(set_up.pod_dir / k_init_cgroup, h.version));
  for (size_t i = 0; i < apps.size(); ++i) {
    fs::path dir = apps_dir / app_service_name(apps[i].name);
    set_up.made.push_back(dir);
    RKT_TRY(sys::make_cgroup(dir));
    auto limited = write_limits(h, dir, resources[i]);
    if (!limited) return std::move(limited).error().wrap("app \"{}\"", apps[i].name);
    RKT_TRY_ASSIGN(auto entry, sys::open_cgroup_entry(dir, h.version));
    set_up.app_entries.push_back(std::move(entry));
    set_up.app_dirs.push_back(dir);
  }
  return set_up;
}

/// Fails when an app's limit needs a controller no hierarchy offers.
Result<void> check_enforceable(const sys::CgroupLayout& layout,
                               const std::vector<appc::RuntimeApp>& apps,
                               const std::vector<AppResources>& resources) {
  for (size_t i = 0; i < apps.size(); ++i) {
    auto missing = [&](std::string_view isolator, const char* controller) {
      return Error::make(ErrorKind::invalid_argument,
                         "app \"{}\": {} cannot be enforced: no {} cgroup controller (cgroups: {})",
                         apps[i].name, isolator, controller, sys::cgroup_mode_name(layout.mode()));
    };
    const auto& r = resources[i];
    if (r.memory_limit_bytes && !layout.with("memory")) {
      return missing(appc::k_isolator_memory, "memory");
    }
    if (r.cpu_limit_milli && !layout.with("cpu")) return missing(appc::k_isolator_cpu, "cpu");
    if (r.cpu_shares && !layout.with("cpu")) return missing(appc::k_isolator_cpu_shares, "cpu");
  }
  return {};
}

}  // namespace

Result<AppResources> app_resources(const appc::RuntimeApp& app) {
  const auto& isolators = isolators_of(app);
  AppResources r;
  auto wrap = [&](Error e) { return std::move(e).wrap("app \"{}\"", app.name); };
  if (const auto* i = appc::find_isolator(isolators, appc::k_isolator_memory)) {
    auto memory = appc::memory_resource(*i);
    if (!memory) return wrap(std::move(memory).error());
    r.memory_limit_bytes = memory->limit_bytes;
  }
  if (const auto* i = appc::find_isolator(isolators, appc::k_isolator_cpu)) {
    auto cpu = appc::cpu_resource(*i);
    if (!cpu) return wrap(std::move(cpu).error());
    r.cpu_limit_milli = cpu->limit_milli;
  }
  if (const auto* i = appc::find_isolator(isolators, appc::k_isolator_cpu_shares)) {
    auto shares = appc::cpu_shares(*i);
    if (!shares) return wrap(std::move(shares).error());
    r.cpu_shares = *shares;
  }
  if (const auto* i = appc::find_isolator(isolators, appc::k_isolator_oom_score_adj)) {
    auto score = appc::oom_score_adj(*i);
    if (!score) return wrap(std::move(score).error());
    r.oom_score_adj = *score;
  }
  return r;
}

int64_t cpu_weight_of_shares(int64_t shares) {
  shares = std::clamp<int64_t>(shares, 2, 262144);
  return 1 + ((shares - 2) * 9999) / 262142;
}

std::string pod_scope_name(std::string_view uuid) {
  std::string name = "machine-rkt\\x2d";
  for (char c : uuid) {
    if (c == '-') {
      name += "\\x2d";
    } else {
      name += c;
    }
  }
  return name + ".scope";
}

std::string app_service_name(std::string_view app) {
  std::string name;
  for (char c : app) {
    if (c == '/') {
      name += "\\x2f";
    } else {
      name += c;
    }
  }
  return name + ".service";
}

fs::path pod_cgroup_dir(const sys::CgroupHierarchy& h, std::string_view uuid) {
  std::string base = h.own_path == "/" ? k_machine_slice : h.own_path;
  return h.dir(base) / pod_scope_name(uuid);
}

const std::vector<std::string>& app_device_rules() {
  // The nodes stage1 puts in the app's /dev (OS-SPEC), as systemd's DevicePolicy=closed plus
  // rkt's console and ptys: read, write and mknod of those; nothing else.
  static const std::vector<std::string> rules = {
      "c 1:3 rwm",   // null
      "c 1:5 rwm",   // zero
      "c 1:7 rwm",   // full
      "c 1:8 rwm",   // random
      "c 1:9 rwm",   // urandom
      "c 5:0 rwm",   // tty
      "c 5:1 rwm",   // console
      "c 5:2 rwm",   // ptmx
      "c 136:* rwm"  // pts/*
  };
  return rules;
}

bool AppCgroup::enter(sys::ChildFailure& failure) const {
  for (const auto& entry : entries) {
    if (!sys::join_cgroup(entry)) {
      failure.sys_errno = errno;
      failure.append("joining the app's cgroup");
      return false;
    }
  }
  if (!oom_score_adj) return true;
  char digits[16];
  int len = 0;
  long value = *oom_score_adj;
  bool negative = value < 0;
  if (negative) value = -value;
  do {
    digits[sizeof digits - 1 - len++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  if (negative) digits[sizeof digits - 1 - len++] = '-';
  int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  bool ok = fd >= 0 && ::write(fd, digits + sizeof digits - len, len) == len;
  if (!ok) {
    failure.sys_errno = errno;
    failure.append("writing /proc/self/oom_score_adj");
  }
  if (fd >= 0) ::close(fd);
  return ok;
}

bool AppCgroup::oom_killed() const {
  if (!memory_dir) return false;
  const char* file =
      memory_version == sys::CgroupVersion::v2 ? "memory.events" : "memory.oom_control";
  UniqueFd fd(::openat(memory_dir.get(), file, O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  char buffer[1024];
  ssize_t n = ::read(fd.get(), buffer, sizeof buffer - 1);
  if (n <= 0) return false;
  return sys::cgroup_key_value(std::string_view(buffer, static_cast<size_t>(n)), "oom_kill") > 0;
}

Result<PodCgroups> PodCgroups::create(const sys::CgroupLayout& layout, std::string_view uuid,
                                      const std::vector<appc::RuntimeApp>& apps) {
  std::vector<AppResources> resources;
  for (const auto& app : apps) {
    RKT_TRY_ASSIGN(auto r, app_resources(app));
    resources.push_back(r);
  }
  RKT_TRY(check_enforceable(layout, apps, resources));
  auto needed = needed_controllers(resources);
  PodCgroups cgroups;
  for (size_t i = 0; i < apps.size(); ++i) {
    auto app = std::make_shared<AppCgroup>();
    app->oom_score_adj = resources[i].oom_score_adj;
    cgroups.m_apps.push_back(std::move(app));
  }
  for (const auto& h : layout.hierarchies) {
    if (h.has("cpuset")) continue;  // would need cpus and mems copied in; no isolator uses it
    auto set_up = set_up_hierarchy(layout, h, uuid, apps, resources, needed);
    if (!set_up) {
      (void)sys::remove_cgroup_tree(pod_cgroup_dir(h, uuid));
      bool needed_here = !hosted_here(layout, h, needed).empty();
      auto error = std::move(set_up).error().wrap("cgroups of {}", h.mount_point.string());
      if (needed_here) return error;
      report("warning: {} (the pod does without this hierarchy)", error.message);
      continue;
    }
    cgroups.m_pod_dirs.push_back(set_up->pod_dir);
    cgroups.m_made.insert(cgroups.m_made.end(), set_up->made.begin(), set_up->made.end());
    cgroups.m_init.push_back(std::move(set_up->init_entry));
    for (size_t i = 0; i < apps.size(); ++i) {
      auto& app = *cgroups.m_apps[i];
      app.entries.push_back(std::move(set_up->app_entries[i]));
      if (layout.with("memory") == &h) {
        app.memory_dir.reset(
            ::open(set_up->app_dirs[i].c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        app.memory_version = h.version;
      }
    }
  }
  std::vector<std::string> dirs(cgroups.m_pod_dirs.begin(), cgroups.m_pod_dirs.end());
  debug("pod cgroups ({}): {}", sys::cgroup_mode_name(layout.mode()), util::join(dirs, " "));
  return cgroups;
}

Result<void> PodCgroups::join_init() const {
  for (const auto& entry : m_init) {
    if (!sys::join_cgroup(entry)) return Error::from_errno(errno, "joining the pod's cgroup");
  }
  return {};
}

int v2_dir_of(const std::vector<sys::CgroupEntry>& entries) {
  for (const auto& entry : entries) {
    if (entry.dir) return entry.dir.get();
  }
  return -1;
}

Result<void> PodCgroups::remove() const {
  // Children before parents, each with one rmdir: the pod knows what it made, so nothing needs
  // listing unless an app made cgroups of its own.
  Result<void> result;
  for (auto dir = m_made.rbegin(); dir != m_made.rend(); ++dir) {
    auto removed = sys::remove_cgroup_tree(*dir);
    if (!removed && result) result = std::move(removed).error();
  }
  return result;
}

Result<void> remove_pod_cgroups(const fs::path& cgroups_file, std::string_view uuid) {
  if (!util::path_exists(cgroups_file)) return {};
  RKT_TRY_ASSIGN(auto text, util::read_file(cgroups_file));
  Result<void> result;
  for (const auto& line : util::split(text, '\n')) {
    fs::path dir = std::string(util::trim(line));
    if (dir.empty()) continue;
    if (dir.filename() != pod_scope_name(uuid) || !sys::is_cgroup_dir(dir.parent_path())) {
      debug("not a cgroup of pod {}: {}", uuid, dir.string());
      continue;
    }
    auto removed = sys::remove_cgroup_tree(dir);
    if (!removed && result) result = std::move(removed).error();
  }
  return result;
}

}  // namespace rkt::stage1

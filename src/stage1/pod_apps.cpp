#include "stage1/pod_apps.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>

#include "appc/manifest.hpp"
#include "stage1/environment.hpp"
#include "stage1/paths.hpp"
#include "util/file.hpp"

namespace rkt::stage1 {

Result<fs::path> current_pod_dir() {
  std::error_code ec;
  fs::path dir = fs::current_path(ec);
  if (ec) return Error::from_errno(ec.value(), "getcwd");
  return dir;
}

Result<void> keep_pod_lock() {
  const char* value = std::getenv("RKT_LOCK_FD");
  if (!value || !*value) return {};
  int fd = -1;
  auto [ptr, ec] = std::from_chars(value, value + std::char_traits<char>::length(value), fd);
  if (ec != std::errc() || *ptr != '\0' || fd < 0) {
    return Error::make(ErrorKind::invalid_argument, "invalid RKT_LOCK_FD \"{}\"", value);
  }
  if (::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    return Error::from_errno(errno, "RKT_LOCK_FD {}", fd);
  }
  return {};
}

namespace {

Result<PodApp> load_app(const Pod& pod, const appc::RuntimeApp& app, LaunchRoot launch_root) {
  fs::path rootfs_now = pod.stage1_root / app_rootfs_in_stage1(app.name);
  std::string root_at_launch = launch_root == LaunchRoot::after_pivot
                                   ? "/" + app_rootfs_in_stage1(app.name)
                                   : rootfs_now.string();
  RKT_TRY_ASSIGN(auto env, read_env_file(pod.stage1_root / k_env_dir / app.name));
  PodApp loaded;
  RKT_TRY_ASSIGN(loaded.plan, plan_app(app, rootfs_now, std::move(root_at_launch), std::move(env)));
  RKT_TRY_ASSIGN(loaded.mounts, app_mounts(pod.manifest, app, pod.dir));
  loaded.read_only_root = app.read_only_root_fs;
  return loaded;
}

}  // namespace

Result<Pod> load_pod(const fs::path& pod_dir, LaunchRoot launch_root) {
  Pod pod;
  pod.dir = pod_dir;
  pod.stage1_root = pod_dir / k_stage1_rootfs;
  RKT_TRY_ASSIGN(auto text, util::read_file(pod_dir / k_pod_manifest_file));
  auto manifest = appc::parse_pod_manifest(text);
  if (!manifest)
    return std::move(manifest).error().wrap("pod manifest `{}`",
                                            (pod_dir / k_pod_manifest_file).string());
  pod.manifest = std::move(*manifest);
  if (pod.manifest.apps.empty()) {
    return Error::make(ErrorKind::invalid_argument, "the pod manifest has no apps");
  }
  for (const auto& app : pod.manifest.apps) {
    RKT_TRY_ASSIGN(auto loaded, load_app(pod, app, launch_root));
    pod.apps.push_back(std::move(loaded));
  }
  return pod;
}

}  // namespace rkt::stage1

#include "stage1/volumes.hpp"

#include <charconv>

#include "appc/manifest.hpp"
#include "stage1/paths.hpp"

namespace rkt::stage1 {

namespace {

const appc::Volume* find_volume(const appc::PodManifest& pod, const std::string& name) {
  for (const auto& volume : pod.volumes) {
    if (volume.name == name) return &volume;
  }
  return nullptr;
}

const appc::MountPoint* find_mount_point(const appc::RuntimeApp& app, const std::string& name) {
  if (!app.app) return nullptr;
  for (const auto& point : app.app->mount_points) {
    if (point.name == name) return &point;
  }
  return nullptr;
}

Result<AppMount> make_mount(const appc::Volume& raw, const std::string& target, bool read_only,
                            const fs::path& pod_dir) {
  appc::Volume volume = appc::volume_with_defaults(raw);
  AppMount mount;
  mount.volume = volume.name;
  mount.target = target;
  mount.kind = volume.kind;
  mount.read_only = read_only || volume.read_only.value_or(false);
  mount.recursive = volume.recursive.value_or(true);
  if (volume.kind == "host") {
    mount.source = volume.source;
  } else if (volume.kind == "empty") {
    mount.source = pod_dir / k_shared_volumes_dir / volume.name;
    unsigned mode = 0;
    auto [ptr, ec] =
        std::from_chars(volume.mode.data(), volume.mode.data() + volume.mode.size(), mode, 8);
    if (ec != std::errc() || ptr != volume.mode.data() + volume.mode.size() || mode > 07777) {
      return Error::make(ErrorKind::invalid_argument, "volume \"{}\": invalid mode \"{}\"",
                         volume.name, volume.mode);
    }
    mount.mode = mode;
    mount.uid = static_cast<uid_t>(volume.uid.value_or(0));
    mount.gid = static_cast<gid_t>(volume.gid.value_or(0));
  } else {
    return Error::make(ErrorKind::invalid_argument, "volume \"{}\": unknown kind \"{}\"",
                       volume.name, volume.kind);
  }
  return mount;
}

Result<appc::Volume> volume_of(const appc::PodManifest& pod, const appc::Mount& mount) {
  if (mount.app_volume) {
    auto volume = appc::parse_volume(*mount.app_volume, "appVolume");
    if (!volume) return std::move(volume).error();
    if (volume->name.empty()) volume->name = mount.volume;
    return volume;
  }
  if (const auto* volume = find_volume(pod, mount.volume)) return *volume;
  return Error::make(ErrorKind::not_found, "no volume \"{}\" in the pod manifest", mount.volume);
}

}  // namespace

Result<std::vector<AppMount>> app_mounts(const appc::PodManifest& pod, const appc::RuntimeApp& app,
                                         const fs::path& pod_dir) {
  std::vector<AppMount> mounts;
  for (const auto& mount : app.mounts) {
    auto volume = volume_of(pod, mount);
    if (!volume) {
      return std::move(volume).error().wrap("app \"{}\": mount at \"{}\"", app.name, mount.path);
    }
    const auto* point = find_mount_point(app, mount.volume);
    auto made = make_mount(*volume, mount.path, point && point->read_only, pod_dir);
    if (!made) return std::move(made).error().wrap("app \"{}\"", app.name);
    mounts.push_back(std::move(*made));
  }
  if (!app.app) return mounts;
  for (const auto& point : app.app->mount_points) {
    bool mounted = false;
    for (const auto& mount : app.mounts) mounted = mounted || mount.volume == point.name;
    const auto* volume = find_volume(pod, point.name);
    if (mounted || !volume) continue;
    auto made = make_mount(*volume, point.path, point.read_only, pod_dir);
    if (!made) return std::move(made).error().wrap("app \"{}\"", app.name);
    mounts.push_back(std::move(*made));
  }
  return mounts;
}

}  // namespace rkt::stage1

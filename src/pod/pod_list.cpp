#include "pod/pod_list.hpp"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "pod/uuid.hpp"
#include "util/log.hpp"

namespace rkt::pod {

namespace {

Result<void> add_uuids_in(const std::filesystem::path& dir, std::vector<std::string>& out) {
  std::unique_ptr<DIR, int (*)(DIR*)> stream(::opendir(dir.c_str()), &::closedir);
  if (!stream) {
    if (errno == ENOENT) return {};
    return Error::from_errno(errno, "cannot read pods directory `{}`", dir.string());
  }
  while (const dirent* entry = ::readdir(stream.get())) {
    std::string_view name = entry->d_name;
    if (!is_uuid(name)) continue;
    if (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN) continue;
    out.emplace_back(name);
  }
  return {};
}

/// Loads each listed pod, skipping the ones gone meanwhile and warning about unreadable ones.
std::vector<Pod> load_all(const PodsDir& pods, const std::vector<std::string>& uuids) {
  std::vector<Pod> loaded;
  for (const auto& uuid : uuids) {
    auto pod = Pod::load(pods, uuid);
    if (pod) {
      loaded.push_back(std::move(*pod));
    } else if (pod.error().kind != ErrorKind::not_found) {
      log::warn("skipping pod \"{}\": {}", uuid, pod.error().message);
    }
  }
  return loaded;
}

}  // namespace

Result<std::vector<std::string>> list_pod_uuids(const PodsDir& pods,
                                                const std::vector<StateDir>& dirs) {
  std::vector<std::string> uuids;
  for (StateDir dir : dirs) RKT_TRY(add_uuids_in(pods.state_dir(dir), uuids));
  std::sort(uuids.begin(), uuids.end());
  uuids.erase(std::unique(uuids.begin(), uuids.end()), uuids.end());
  return uuids;
}

Result<std::vector<Pod>> list_pods(const PodsDir& pods) {
  RKT_TRY_ASSIGN(auto uuids, list_pod_uuids(pods));
  return load_all(pods, uuids);
}

Result<std::vector<Pod>> list_pods_in(const PodsDir& pods, StateDir dir) {
  RKT_TRY_ASSIGN(auto uuids, list_pod_uuids(pods, {dir}));
  auto loaded = load_all(pods, uuids);
  std::erase_if(loaded, [dir](const Pod& pod) { return pod.state_dir() != dir; });
  return loaded;
}

}  // namespace rkt::pod

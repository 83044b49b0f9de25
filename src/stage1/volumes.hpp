#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "appc/types.hpp"
#include "util/result.hpp"

namespace rkt::stage1 {

namespace fs = std::filesystem;

/// One volume to bind into an app's rootfs.
struct AppMount {
  std::string volume;  // the volume's name
  std::string target;  // absolute path inside the app
  fs::path source;     // host path: a host volume's source or <pod>/sharedVolumes/<name>
  std::string kind;    // "host" or "empty"
  bool read_only = false;
  bool recursive = true;
  mode_t mode = 0755;  // empty volumes: the directory's mode, uid and gid
  uid_t uid = 0;
  gid_t gid = 0;
  bool operator==(const AppMount&) const = default;
};

/// The volumes an app gets: its `mounts[]` (volume -> path; an inline appVolume is honoured),
/// then its image's mountPoints that have a volume of the same name and no mount yet. Read-only
/// when the volume or the app's mount point says so. A mount naming an unknown volume is an error;
/// a mount point without a volume is skipped (stage0 decides about implicit volumes).
Result<std::vector<AppMount>> app_mounts(const appc::PodManifest& pod, const appc::RuntimeApp& app,
                                         const fs::path& pod_dir);

}  // namespace rkt::stage1

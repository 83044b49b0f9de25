#include "pod/export.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "appc/manifest.hpp"
#include "pod/export_merge.hpp"
#include "pod/export_writer.hpp"
#include "store/store_paths.hpp"
#include "util/file.hpp"
#include "util/scope_exit.hpp"

namespace rkt::pod {

namespace fs = std::filesystem;

namespace {

Result<void> check_exportable(const Pod& pod, const fs::path& output, Overwrite overwrite) {
  if (pod.state() != PodState::exited && pod.state() != PodState::exited_garbage) {
    return Error::make(ErrorKind::conflict,
                       "pod \"{}\" is not exited (state \"{}\"): only exited pods can be exported",
                       pod.uuid(), state_name(pod.state()));
  }
  if (output.extension() != ".aci") {
    return Error::make(ErrorKind::invalid_argument, "extension must be .aci (given {})",
                       output.string());
  }
  if (overwrite == Overwrite::no && util::path_exists(output)) {
    return Error::make(ErrorKind::already_exists, "target file exists (try --overwrite)");
  }
  return {};
}

Result<std::string> choose_app(const Pod& pod, std::string_view app) {
  RKT_TRY_ASSIGN(auto apps, pod.app_names());
  if (app.empty()) {
    if (apps.size() == 1) return apps.front();
    return Error::make(ErrorKind::invalid_argument, "pod \"{}\" has {} apps: choose one with --app",
                       pod.uuid(), apps.size());
  }
  if (std::find(apps.begin(), apps.end(), app) == apps.end()) {
    return Error::make(ErrorKind::not_found, "pod \"{}\" has no app \"{}\"", pod.uuid(), app);
  }
  return std::string(app);
}

/// The app's image manifest for the exported image: its rootfs is complete, so dependencies and
/// the path whitelist (already applied when the tree was rendered) no longer apply.
std::string exported_manifest(appc::ImageManifest manifest) {
  manifest.dependencies.clear();
  manifest.path_whitelist.clear();
  return appc::to_json(manifest).dump();
}

/// Walks the app's final rootfs. `pod_dir` is a stable name of the pod directory.
Result<void> walk_app_rootfs(const Pod& pod, const fs::path& pod_dir, const std::string& app,
                             const AppImage& image, const TreeVisitor& visit) {
  PodPaths paths(pod_dir);
  if (!pod.uses_overlay()) return walk_tree(paths.app_rootfs(app), visit);
  auto lower = store::StorePaths(pod.pods_dir().data_dir).tree / image.tree_store_id / "rootfs";
  if (image.tree_store_id.empty() || !util::is_dir(lower)) {
    return Error::make(ErrorKind::not_found, "the image tree of app \"{}\" (`{}`) is gone", app,
                       lower.string());
  }
  return walk_overlay(lower, paths.overlay_upper(app), visit);
}

Result<void> write_aci(int fd, const Pod& pod, const fs::path& pod_dir, const std::string& app) {
  RKT_TRY_ASSIGN(auto image, pod.app_image(app));
  RKT_TRY_ASSIGN(auto writer, AciWriter::open(fd));
  RKT_TRY(writer.add_manifest(exported_manifest(image.manifest)));
  RKT_TRY(walk_app_rootfs(pod, pod_dir, app, image,
                          [&writer](const TreeEntry& entry) { return writer.add(entry); }));
  RKT_TRY(writer.close());
  if (::fsync(fd) != 0) return Error::from_errno(errno, "fsync");
  return {};
}

Result<void> install(const fs::path& tmp, const fs::path& output, Overwrite overwrite) {
  int rc = overwrite == Overwrite::yes
               ? ::rename(tmp.c_str(), output.c_str())
               : ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, output.c_str(), RENAME_NOREPLACE);
  if (rc == 0) return {};
  if (errno == EEXIST)
    return Error::make(ErrorKind::already_exists, "target file exists (try --overwrite)");
  return Error::from_errno(errno, "rename `{}` to `{}`", tmp.string(), output.string());
}

}  // namespace

Result<void> export_pod_app(const Pod& pod, std::string_view app, const fs::path& output,
                            Overwrite overwrite) {
  RKT_TRY(check_exportable(pod, output, overwrite));
  RKT_TRY_ASSIGN(auto name, choose_app(pod, app));
  auto lock = pod.lock(util::LockMode::shared, util::LockWait::no_block);
  if (!lock) return Error::make(ErrorKind::conflict, "pod \"{}\" is being deleted", pod.uuid());
  // Through the locked descriptor the pod's files stay reachable even if gc marks it meanwhile.
  const fs::path pod_dir = fs::path("/proc/self/fd") / std::to_string(lock->fd());
  std::string tmp = output.string() + ".tmp-XXXXXX";
  UniqueFd fd(::mkostemps(tmp.data(), 0, O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "create `{}`", tmp);
  ScopeExit remove_tmp([&tmp] { ::unlink(tmp.c_str()); });
  ::fchmod(fd.get(), 0644);
  auto written = write_aci(fd.get(), pod, pod_dir, name);
  if (!written)
    return std::move(written).error().wrap("exporting app \"{}\" of pod \"{}\"", name, pod.uuid());
  RKT_TRY(install(tmp, output, overwrite));
  remove_tmp.dismiss();
  return {};
}

}  // namespace rkt::pod

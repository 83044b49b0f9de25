#include "pod/overlay_mounts.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "sys/idmapped_mount.hpp"
#include "sys/mount.hpp"
#include "sys/namespaces.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::pod {

namespace fs = std::filesystem;

Result<void> enter_private_mount_namespace() {
  RKT_TRY(sys::unshare_namespaces({sys::Namespace::mount}));
  return sys::set_propagation("/", sys::Propagation::slave, sys::Recursive::yes);
}

Result<void> mount_app_overlays(const PodPaths& paths, const fs::path& tree_dir,
                                const appc::PodManifest& manifest,
                                const std::optional<sys::IdRange>& private_users) {
  // Any user namespace with the pod's mapping defines the idmap; the mounts keep it.
  std::optional<sys::UserNamespace> idmap;
  if (private_users) {
    auto made = sys::create_user_namespace(*private_users);
    if (!made) return std::move(made).error().wrap("idmapping the pod's trees");
    idmap = std::move(*made);
  }
  for (const auto& app : manifest.apps) {
    RKT_TRY_ASSIGN(std::string tree, util::read_file(paths.app_tree_id(app.name)));
    tree = std::string(util::trim(tree));
    fs::path lower = tree_dir / tree / "rootfs";
    if (idmap) {
      RKT_TRY(util::make_dirs(paths.overlay_lower(app.name), 0700));
      auto shifted = sys::idmapped_bind_mount(lower, paths.overlay_lower(app.name), idmap->user);
      if (!shifted) return std::move(shifted).error().wrap("app \"{}\"", app.name);
      lower = paths.overlay_lower(app.name);
    }
    auto mounted = sys::mount_overlay({lower}, paths.overlay_upper(app.name),
                                      paths.overlay_work(app.name), paths.app_rootfs(app.name));
    if (!mounted) return std::move(mounted).error().wrap("app \"{}\"", app.name);
  }
  return {};
}

Result<void> ensure_mtab(const fs::path& rootfs) {
  struct stat st {};
  // lstat: an /etc that is a symlink would lead outside the rootfs.
  if (::lstat((rootfs / "etc").c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return {};
  fs::path mtab = rootfs / "etc" / "mtab";
  if (::lstat(mtab.c_str(), &st) == 0) return {};
  if (errno != ENOENT) return Error::from_errno(errno, "lstat `{}`", mtab.string());
  if (::symlink("../proc/self/mounts", mtab.c_str()) != 0) {
    return Error::from_errno(errno, "creating `{}`", mtab.string());
  }
  return {};
}

}  // namespace rkt::pod

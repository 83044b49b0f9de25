// rkt's stage0 "prepare": from a command line (or a --pod-manifest) to a pod directory the
// stage1 can run. Everything that can be checked is checked before the pod directory exists.
#include "pod/prepare.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "appc/labels.hpp"
#include "appc/manifest.hpp"
#include "image/render.hpp"
#include "pod/env.hpp"
#include "pod/id_ranges.hpp"
#include "pod/pod_entrypoint.hpp"
#include "pod/pod_lock.hpp"
#include "pod/pod_manifest_builder.hpp"
#include "pod/pod_transition.hpp"
#include "pod/state_dirs.hpp"
#include "pod/tree_copy.hpp"
#include "pod/uuid.hpp"
#include "store/store_paths.hpp"
#include "sys/idmapped_mount.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace rkt::pod {

namespace fs = std::filesystem;

namespace {

/// Modes of what prepare creates (rkt's DefaultRegularDirPerm / DefaultRegularFilePerm).
constexpr mode_t k_dir_mode = 0750;
constexpr mode_t k_file_mode = 0644;

/// Everything about the pod decided before anything is written.
struct PodPlan {
  appc::PodManifest manifest;
  std::vector<store::ImageInfo> app_images;  // in manifest order
  std::vector<std::string> env_files;        // in manifest order
  store::ImageInfo stage1;
  bool overlay = true;
  bool private_users = false;
  bool check_trees = true;
};

/// Tree store IDs of the rendered images.
struct PodTrees {
  std::vector<std::string> apps;  // in manifest order
  std::string stage1;
};

/// A pod directory in prepare/, locked exclusively.
struct PodDir {
  std::string uuid;
  PodPaths paths;
  util::LockFile lock;
};

/// How the pod's files are written: with --private-users, owners move into the pod's range.
struct PodOwnership {
  std::optional<sys::IdRange> range;
  Result<void> shift(const fs::path& path) const {
    return range ? shift_owner(path, *range) : Result<void>();
  }
  uint32_t outside(uint32_t id) const { return range ? range->outside(id) : id; }
};

Result<void> check_stage1(const store::ImageInfo& stage1) {
  if (stage1.key.empty()) {
    return Error::make(ErrorKind::invalid_argument, "no stage1 image selected");
  }
  if (!appc::find_annotation(stage1.manifest.annotations, k_stage1_run_annotation)) {
    return Error::make(ErrorKind::invalid_argument,
                       "image {} is not a stage1 image: it has no {} annotation",
                       stage1.manifest.name, k_stage1_run_annotation);
  }
  return {};
}

bool use_overlay(const PodRequest& request) {
  if (request.no_overlay) return false;
  if (overlay_supported()) return true;
  log::warn("disabling overlay support: the kernel has no overlay filesystem");
  return false;
}

Result<PodPlan> plan_pod(store::ImageStore& store, const PodRequest& request) {
  PodPlan plan;
  if (request.pod_manifest) {
    RKT_TRY_ASSIGN(auto resolved, resolve_pod_manifest(store, *request.pod_manifest));
    plan.manifest = std::move(resolved.manifest);
    plan.app_images = std::move(resolved.images);
  } else {
    EnvPairs parent = request.inherit_env ? current_environ() : EnvPairs{};
    RKT_TRY_ASSIGN(plan.manifest, build_pod_manifest(request, parent));
    for (const auto& app : request.apps) plan.app_images.push_back(app.image);
  }
  for (const auto& app : plan.manifest.apps) {
    auto env = final_environment(
        app.app ? app.app->environment : std::vector<appc::EnvironmentVariable>{}, app.name);
    auto text = format_env_file(env);
    if (!text) return std::move(text).error().wrap("app \"{}\"", app.name);
    plan.env_files.push_back(std::move(*text));
  }
  plan.stage1 = request.stage1.image;
  RKT_TRY(check_stage1(plan.stage1));
  plan.overlay = use_overlay(request);
  plan.private_users = request.private_users;
  plan.check_trees = !request.skip_tree_check;
  if (plan.private_users && util::ends_with(plan.stage1.manifest.name, "/stage1-fly")) {
    return Error::make(ErrorKind::invalid_argument,
                       "--private-users is not supported by stage1-fly");
  }
  return plan;
}

/// The image's tree, rendered unless it already is; the caller holds the prepare lock, so image
/// gc can't remove a tree between this check and the pod recording its ID. A tree rendered
/// earlier is checked against its recorded hash (unless --insecure-options=ondisk) and, as rkt
/// did, rendered again when it does not match.
Result<std::string> render_tree(store::ImageStore& store, const store::ImageInfo& image,
                                bool check) {
  RKT_TRY_ASSIGN(auto flattened, image::flatten_image(store, image));
  std::string id = store::tree_id(flattened);
  store::TreeStore trees = image::tree_store_of(store);
  if (!trees.is_rendered(id)) {
    RKT_TRY(image::render_image(store, image));
  } else if (check) {
    auto verified = trees.verify(id);
    if (!verified && verified.error().kind != ErrorKind::verification_failed)
      return verified.error();
    if (!verified) {
      log::warn("tree cache is in a bad state: {}. Rebuilding...", verified.error().message);
      RKT_TRY(trees.rebuild(flattened));
    }
  }
  log::warn_and_drop(store.touch_last_used(image.key));
  return id;
}

Result<PodTrees> render_trees(store::ImageStore& store, const PodPlan& plan) {
  PodTrees trees;
  for (const auto& image : plan.app_images) {
    auto id = render_tree(store, image, plan.check_trees);
    if (!id) return std::move(id).error().wrap("rendering image {}", image.manifest.name);
    trees.apps.push_back(std::move(*id));
  }
  auto id = render_tree(store, plan.stage1, plan.check_trees);
  if (!id)
    return std::move(id).error().wrap("rendering stage1 image {}", plan.stage1.manifest.name);
  trees.stage1 = std::move(*id);
  return trees;
}

/// embryo/<uuid>, locked, then moved to prepare/ with the lock (it follows the directory).
Result<PodDir> create_pod_dir(const PodsDir& pods) {
  RKT_TRY(make_state_dir(pods, StateDir::embryo));
  RKT_TRY_ASSIGN(std::string uuid, new_uuid());
  fs::path embryo = pods.pod_dir(StateDir::embryo, uuid);
  if (::mkdir(embryo.c_str(), k_dir_mode) != 0) {
    return Error::from_errno(errno, "mkdir `{}`", embryo.string());
  }
  RKT_TRY_ASSIGN(auto lock,
                 lock_pod_dir(embryo, util::LockMode::exclusive, util::LockWait::no_block));
  RKT_TRY(move_pod_dir(pods, uuid, PodState::embryo, PodState::preparing));
  return PodDir{uuid, PodPaths(pods.pod_dir(StateDir::prepare, uuid)), std::move(lock)};
}

Result<void> write_file(const fs::path& path, std::string_view content, mode_t mode = k_file_mode) {
  return util::write_file_atomic(path, content, mode, util::Durability::no_fsync);
}

/// The apps' logs are the rkt group's to read (`rkt logs`, the API service's GetLogs), as the rest
/// of the pod is: the log files the stage1 creates (0640) inherit the group of the setgid dir,
/// whose owner stays the pod's root (shifted with --private-users).
Result<void> share_logs_with_rkt_group(const fs::path& dir) {
  auto group = store::store_group();
  if (!group) return {};
  if (::chown(dir.c_str(), static_cast<uid_t>(-1), *group) != 0 ||
      ::chmod(dir.c_str(), 02750) != 0) {
    return Error::from_errno(errno, "giving `{}` to the rkt group", dir.string());
  }
  return {};
}

/// The stage1 rootfs is a copy; with --private-users a shifted one, so that the pod's PID 1,
/// root of the pod's user namespace, can write the apps' status and logs there.
Result<void> setup_stage1(const PodPaths& paths, const store::TreeStore& trees,
                          const store::ImageInfo& stage1, const std::string& tree,
                          const PodOwnership& owner) {
  RKT_TRY(util::make_dirs(paths.stage1(), k_dir_mode));
  RKT_TRY(write_file(paths.stage1_manifest(), stage1.manifest_json));
  RKT_TRY(write_file(paths.stage1_tree_id(), tree));
  RKT_TRY(copy_tree(trees.rootfs(tree), paths.stage1_rootfs(), owner.range));
  for (const char* name : {"rkt", "rkt/status", "rkt/env", "rkt/logs"}) {
    fs::path dir = paths.stage1_rootfs() / name;
    RKT_TRY(util::make_dirs(dir, 0755));
    RKT_TRY(owner.shift(dir));
  }
  return share_logs_with_rkt_group(paths.stage1_rootfs() / "rkt/logs");
}

/// The overlay's upper dir gives the merged root its owner and mode (overlayfs reports a
/// directory's metadata from the upper layer), so it copies the lower root's.
Result<void> make_upper_dir(const fs::path& upper, const fs::path& lower,
                            const PodOwnership& owner) {
  struct stat st {};
  if (::stat(lower.c_str(), &st) != 0) return Error::from_errno(errno, "stat `{}`", lower.string());
  RKT_TRY(util::make_dirs(upper, st.st_mode & 07777));
  if (::chown(upper.c_str(), owner.outside(st.st_uid), owner.outside(st.st_gid)) != 0 ||
      ::chmod(upper.c_str(), st.st_mode & 07777) != 0) {
    return Error::from_errno(errno, "setting owner and mode of `{}`", upper.string());
  }
  return {};
}

Result<void> setup_app(const PodPaths& paths, const store::TreeStore& trees, const PodPlan& plan,
                       const PodTrees& pod_trees, size_t index, const PodOwnership& owner) {
  const std::string& app = plan.manifest.apps[index].name;
  const store::ImageInfo& image = plan.app_images[index];
  const std::string& tree = pod_trees.apps[index];
  RKT_TRY(util::make_dirs(paths.app_info(app), k_dir_mode));
  RKT_TRY(write_file(paths.app_image_manifest(app), image.manifest_json));
  RKT_TRY(write_file(paths.app_tree_id(app), tree));
  RKT_TRY(util::make_dirs(paths.app_dir(app), 0755));
  RKT_TRY(write_file(paths.app_dir(app) / "manifest", image.manifest_json));
  // Not the rkt group's: AC_METADATA_URL (--mds-register) carries the pod's token.
  RKT_TRY(write_file(paths.app_env(app), plan.env_files[index], 0600));
  RKT_TRY(owner.shift(paths.app_dir(app)));
  if (!plan.overlay) return copy_tree(trees.rootfs(tree), paths.app_rootfs(app), owner.range);
  RKT_TRY(util::make_dirs(paths.app_rootfs(app), 0755));
  RKT_TRY(make_upper_dir(paths.overlay_upper(app), trees.rootfs(tree), owner));
  if (owner.range) RKT_TRY(util::make_dirs(paths.overlay_lower(app), 0700));
  return util::make_dirs(paths.overlay_work(app), 0700);
}

Result<void> make_shared_volume(const PodPaths& paths, const appc::Volume& raw,
                                const PodOwnership& owner) {
  appc::Volume volume = appc::volume_with_defaults(raw);
  unsigned mode = 0;
  const char* end = volume.mode.data() + volume.mode.size();
  auto [ptr, ec] = std::from_chars(volume.mode.data(), end, mode, 8);
  if (ec != std::errc() || ptr != end || mode > 07777) {
    return Error::make(ErrorKind::invalid_argument, "volume \"{}\": invalid mode \"{}\"",
                       volume.name, volume.mode);
  }
  fs::path dir = paths.shared_volume(volume.name);
  RKT_TRY(util::make_dirs(dir, mode));
  auto uid = static_cast<uint32_t>(volume.uid.value_or(0));
  auto gid = static_cast<uint32_t>(volume.gid.value_or(0));
  if (owner.range && (uid >= owner.range->count || gid >= owner.range->count)) {
    return Error::make(ErrorKind::invalid_argument,
                       "volume \"{}\": owner {}:{} does not fit the pod's ID range", volume.name,
                       uid, gid);
  }
  if (::chown(dir.c_str(), owner.outside(uid), owner.outside(gid)) != 0 ||
      ::chmod(dir.c_str(), mode) != 0) {
    return Error::from_errno(errno, "setting owner and mode of volume `{}`", dir.string());
  }
  return {};
}

/// --private-users: a range no other pod holds, recorded in the pod at once (so that deleting
/// the pod, even an aborted one, releases it).
Result<PodOwnership> claim_id_range(const PodsDir& pods, const PodDir& pod) {
  IdRangeRegistry registry(pods.id_ranges());
  RKT_TRY_ASSIGN(sys::IdRange range, registry.claim(pod.uuid, random_id_slot()));
  RKT_TRY(write_file(pod.paths.private_users(), sys::format_id_range(range)));
  return PodOwnership{range};
}

Result<void> write_pod_files(const PodPaths& paths, const store::TreeStore& trees,
                             const PodPlan& plan, const PodTrees& pod_trees,
                             const PodOwnership& owner) {
  // Not fsynced, as rkt did not: a pod cut short by a crash is garbage for `rkt gc` either way.
  RKT_TRY(write_file(paths.manifest(), appc::to_json(plan.manifest).dump()));
  RKT_TRY(write_file(paths.created_marker(), ""));
  RKT_TRY(setup_stage1(paths, trees, plan.stage1, pod_trees.stage1, owner));
  for (size_t i = 0; i < plan.manifest.apps.size(); ++i) {
    auto done = setup_app(paths, trees, plan, pod_trees, i, owner);
    if (!done) return std::move(done).error().wrap("app \"{}\"", plan.manifest.apps[i].name);
  }
  for (const auto& volume : plan.manifest.volumes) {
    if (volume.kind == "empty") RKT_TRY(make_shared_volume(paths, volume, owner));
  }
  if (plan.overlay) RKT_TRY(write_file(paths.overlay_prepared(), ""));
  return {};
}

Result<PreparedPod> finish(const PodsDir& pods, PodDir pod, PodPlan plan, const PodOwnership& owner,
                           PrepareMode mode) {
  PreparedPod prepared;
  prepared.uuid = pod.uuid;
  prepared.manifest = std::move(plan.manifest);
  prepared.overlay = plan.overlay;
  prepared.private_users = owner.range;
  if (mode == PrepareMode::for_prepare) {
    RKT_TRY(move_pod_dir(pods, pod.uuid, PodState::preparing, PodState::prepared));
    prepared.dir = pods.pod_dir(StateDir::prepared, pod.uuid);
  } else {
    RKT_TRY(move_pod_dir(pods, pod.uuid, PodState::preparing, PodState::running));
    prepared.dir = pods.pod_dir(StateDir::run, pod.uuid);
    prepared.lock = std::move(pod.lock);
  }
  return prepared;
}

}  // namespace

Result<std::optional<sys::IdRange>> recorded_id_range(const PodPaths& paths) {
  auto text = util::read_file(paths.private_users());
  if (!text) {
    if (text.error().sys_errno == ENOENT) return std::optional<sys::IdRange>();
    return text.error();
  }
  auto range = sys::parse_id_range(util::trim(*text));
  if (!range) return std::move(range).error().wrap("`{}`", paths.private_users().string());
  return std::optional<sys::IdRange>(*range);
}

bool overlay_supported() {
  static const bool supported = [] {
    auto text = util::read_file("/proc/filesystems");
    return text && (text->find("\toverlay\n") != std::string::npos);
  }();
  return supported;
}

Result<PreparedPod> prepare_pod(const PodsDir& pods, store::ImageStore& store,
                                const PodRequest& request, PrepareMode mode) {
  RKT_TRY(validate_pod_request(request));
  RKT_TRY_ASSIGN(PodPlan plan, plan_pod(store, request));
  // Image gc takes this lock exclusively before removing trees no pod references.
  RKT_TRY(util::make_dirs(pods.prepare_lock().parent_path(), k_dir_mode));
  RKT_TRY_ASSIGN(auto prepare_lock,
                 util::LockFile::acquire(pods.prepare_lock(), util::LockMode::shared));
  RKT_TRY_ASSIGN(PodTrees trees, render_trees(store, plan));
  if (plan.private_users && plan.overlay &&
      !sys::idmapped_mounts_supported(image::tree_store_of(store).rootfs(trees.stage1))) {
    // Without idmapped mounts the trees cannot be shown shifted: copy them shifted (as rkt).
    log::debug("--private-users: no idmapped mounts of the tree store; copying the trees");
    plan.overlay = false;
  }
  RKT_TRY_ASSIGN(PodDir pod, create_pod_dir(pods));
  // From here on a failure leaves the pod in prepare/, unlocked: an aborted prepare for gc.
  PodOwnership owner;
  if (plan.private_users) {
    auto claimed = claim_id_range(pods, pod);
    if (!claimed) return std::move(claimed).error().wrap("preparing pod {}", pod.uuid);
    owner = *claimed;
  }
  auto written = write_pod_files(pod.paths, image::tree_store_of(store), plan, trees, owner);
  if (!written) return std::move(written).error().wrap("preparing pod {}", pod.uuid);
  if (!request.uuid_file_save.empty()) {
    auto saved = util::write_file_atomic(request.uuid_file_save, pod.uuid, 0644);
    if (!saved) return std::move(saved).error().wrap("--uuid-file-save");
  }
  return finish(pods, std::move(pod), std::move(plan), owner, mode);
}

}  // namespace rkt::pod

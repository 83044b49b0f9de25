#include <chrono>
#include <set>

#include "cli/cmd_image.hpp"
#include "cli/exit_codes.hpp"
#include "image/docker/cache_gc.hpp"
#include "image/find_image.hpp"
#include "image/render.hpp"
#include "store/image_gc.hpp"
#include "util/log.hpp"
#include "util/time.hpp"

namespace rkt::cli {

namespace {

struct ImageRemovalOptions {
  std::vector<std::string> images;
  std::string grace_period = "24h0m0s";
};

/// Images and trees still needed by pods; pods arrive with the pod lifecycle (none yet).
struct InUse {
  std::set<std::string> image_keys;
  std::set<std::string> tree_ids;
};
InUse resources_in_use() { return {}; }

Result<int> run_image_rm(Context& context, const ImageRemovalOptions& options) {
  RKT_TRY_ASSIGN(store::ImageStore * store, context.store());
  size_t removed = 0;
  bool failed = false;
  for (const std::string& name : options.images) {
    auto image = image::find_stored_image(*store, name);
    auto result = image ? store->remove(image->key) : Result<void>(image.error());
    if (!result) {
      log::info("image rm: {}: {}", name, result.error().message);
      failed = true;
      continue;
    }
    log::info("successfully removed aci for image: \"{}\"", image->key);
    ++removed;
  }
  if (removed) log::info("{} image(s) successfully removed", removed);
  return failed ? k_exit_failure : k_exit_success;
}

Result<int> run_image_gc(Context& context, const ImageRemovalOptions& options) {
  RKT_TRY(require_root("image gc"));
  RKT_TRY_ASSIGN(util::Duration grace, util::parse_duration(options.grace_period));
  RKT_TRY_ASSIGN(store::ImageStore * store, context.store());
  InUse in_use = resources_in_use();
  store::TreeStore trees = image::tree_store_of(*store);
  RKT_TRY_ASSIGN(auto tree_ids, trees.list_ids());
  for (const std::string& id : tree_ids) {
    if (in_use.tree_ids.count(id)) continue;
    RKT_TRY(trees.remove(id));
    log::info("removed treestore \"{}\"", id);
  }
  RKT_TRY_ASSIGN(auto removed, store::gc_images(*store, grace, in_use.image_keys));
  for (const auto& image : removed) {
    log::info("successfully removed aci for image: \"{}\"", image.key);
  }
  if (!removed.empty()) log::info("{} image(s) successfully removed", removed.size());
  // Docker layers no stored image was made of, and partial downloads abandoned for a day.
  auto is_stored = [store](const std::string& key) {
    auto image = store->get_by_key(key);
    return image || image.error().kind != ErrorKind::not_found;  // unsure: keep
  };
  RKT_TRY_ASSIGN(auto cache, image::docker::gc_docker_cache(store->paths().cas, is_stored,
                                                           std::chrono::hours(24)));
  if (cache.busy) log::info("docker layer cache in use by a fetch: left alone");
  if (cache.blobs) log::info("removed {} unused docker layer(s)", cache.blobs);
  if (cache.downloads) log::info("removed {} stale partial download(s)", cache.downloads);
  return k_exit_success;
}

Result<int> run_image_verify(Context& context, const ImageRemovalOptions& options) {
  RKT_TRY_ASSIGN(store::ImageStore * store, context.store());
  store::TreeStore trees = image::tree_store_of(*store);
  for (const std::string& name : options.images) {
    RKT_TRY_ASSIGN(store::ImageInfo image, image::find_stored_image(*store, name));
    // A tree removed by `image gc` is rendered again from the verified blob first.
    RKT_TRY_ASSIGN(std::string tree, image::render_image(*store, image));
    auto verified = trees.verify(tree);
    if (!verified) return std::move(verified).error().wrap("image {}", image.key);
    log::info("successfully verified checksum for image: \"{}\" ({})", name, image.key);
  }
  return k_exit_success;
}

}  // namespace

void add_image_removal_commands(CommandTable& table, CLI::App* group, Context& context) {
  auto rm = std::make_shared<ImageRemovalOptions>();
  table.add(group, "rm", "Remove one or more images from the local store",
            [&context, rm] { return run_image_rm(context, *rm); })
      ->add_option("IMAGE", rm->images, "image names or IDs")
      ->required();

  auto gc = std::make_shared<ImageRemovalOptions>();
  table.add(group, "gc", "Garbage collect local store",
            [&context, gc] { return run_image_gc(context, *gc); })
      ->add_option("--grace-period", gc->grace_period,
                   "duration to wait since an image was last used before removing it")
      ->capture_default_str();

  auto verify = std::make_shared<ImageRemovalOptions>();
  table.add(group, "verify", "Verify the rendered tree of one or more images",
            [&context, verify] { return run_image_verify(context, *verify); })
      ->add_option("IMAGE", verify->images, "image names or IDs")
      ->required();
}

}  // namespace rkt::cli

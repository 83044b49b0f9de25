#include "image/render.hpp"

#include "image/find_image.hpp"

namespace rkt::image {

namespace {

store::RenderImage render_input(const store::ImageStore& store, const store::ImageInfo& info) {
  return store::RenderImage{info.key, store.blob_path(info.key), info.manifest};
}

}  // namespace

Result<std::vector<store::RenderImage>> flatten_image(store::ImageStore& store,
                                                      const store::ImageInfo& image) {
  auto resolve = [&store](const appc::Dependency& dep) -> Result<store::RenderImage> {
    auto found = dep.image_id.empty() ? store.find_by_name(dep.image_name, dep.labels)
                                      : store.resolve_id_prefix(dep.image_id);
    if (!found) {
      return std::move(found).error().wrap("dependency {} is not in the store", dep.image_name);
    }
    return render_input(store, *found);
  };
  return store::flatten_dependencies(render_input(store, image), resolve);
}

store::TreeStore tree_store_of(const store::ImageStore& store) {
  return store::TreeStore(store.paths().tree, store.paths().locks);
}

Result<std::string> render_image(store::ImageStore& store, const store::ImageInfo& image) {
  RKT_TRY_ASSIGN(auto flattened, flatten_image(store, image));
  store::TreeStore trees = tree_store_of(store);
  std::string id = store::tree_id(flattened);
  RKT_TRY(trees.render(flattened));
  if (auto size = trees.size(id)) RKT_TRY(store.set_tree_size(image.key, *size));
  return id;
}

}  // namespace rkt::image

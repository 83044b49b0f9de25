#pragma once

#include <filesystem>
#include <vector>

#include "store/image_store.hpp"
#include "store/tree_store.hpp"

namespace rkt::image {

/// The image and its dependencies, from the store, in appc render order.
Result<std::vector<store::RenderImage>> flatten_image(store::ImageStore& store,
                                                      const store::ImageInfo& image);

/// Whether this process may render trees while fetching: only as root, since trees keep file
/// owners (a `rkt` group member's fetch leaves the rendering to the first pod, as rkt did).
bool may_render_trees();

/// The tree store of a data dir.
store::TreeStore tree_store_of(const store::ImageStore& store);

/// Renders the image with its dependencies into the tree store; returns the tree id.
Result<std::string> render_image(store::ImageStore& store, const store::ImageInfo& image);

}  // namespace rkt::image

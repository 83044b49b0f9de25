#pragma once

#include <filesystem>
#include <vector>

#include "store/image_store.hpp"
#include "store/tree_store.hpp"

namespace rkt::image {

/// The image and its dependencies, from the store, in appc render order.
Result<std::vector<store::RenderImage>> flatten_image(store::ImageStore& store,
                                                      const store::ImageInfo& image);

/// The tree store of a data dir.
store::TreeStore tree_store_of(const store::ImageStore& store);

/// Renders the image with its dependencies into the tree store; returns the tree id.
Result<std::string> render_image(store::ImageStore& store, const store::ImageInfo& image);

}  // namespace rkt::image

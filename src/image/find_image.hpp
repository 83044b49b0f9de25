#pragma once

#include "image/image_ref.hpp"
#include "store/image_store.hpp"

namespace rkt::image {

/// Looks an image up in the store only: by ID prefix, by name and labels, or by the ID of a file.
Result<store::ImageInfo> find_stored_image(store::ImageStore& store, const ImageRef& ref);

/// parse_image_ref + find_stored_image, for commands that take images already fetched.
Result<store::ImageInfo> find_stored_image(store::ImageStore& store, std::string_view text);

}  // namespace rkt::image

#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "store/image_info.hpp"
#include "store/image_store.hpp"
#include "util/result.hpp"

namespace rkt::store {

/// Removes the images not used for longer than `grace` (now - last_used > grace), oldest use
/// first, except those in `keys_in_use` (store keys or full IDs, e.g. of running pods' images).
/// Returns the removed images; a failure on one image is warned about and the others go on.
Result<std::vector<ImageInfo>> gc_images(ImageStore& store, std::chrono::nanoseconds grace,
                                         const std::set<std::string>& keys_in_use);

}  // namespace rkt::store

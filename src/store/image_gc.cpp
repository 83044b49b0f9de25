#include "store/image_gc.hpp"

#include <algorithm>

#include "util/log.hpp"

namespace rkt::store {

namespace {

bool in_use(const ImageInfo& image, const std::set<std::string>& keys_in_use) {
  return keys_in_use.contains(image.key) || keys_in_use.contains(image.id);
}

}  // namespace

Result<std::vector<ImageInfo>> gc_images(ImageStore& store, std::chrono::nanoseconds grace,
                                         const std::set<std::string>& keys_in_use) {
  RKT_TRY(store.recover());
  RKT_TRY_ASSIGN(auto images, store.list());
  std::sort(images.begin(), images.end(),
            [](const ImageInfo& a, const ImageInfo& b) { return a.last_used < b.last_used; });
  const auto now = std::chrono::system_clock::now();
  std::vector<ImageInfo> removed;
  for (auto& image : images) {
    if (now - image.last_used <= grace || in_use(image, keys_in_use)) continue;
    if (auto r = store.remove(image.key); !r) {
      log::warn("removing image {}: {}", image.id, r.error().message);
      continue;
    }
    removed.push_back(std::move(image));
  }
  return removed;
}

}  // namespace rkt::store

#include "image/find_image.hpp"

#include "image/aci_file.hpp"

namespace rkt::image {

namespace {

/// The store key is the first half of the ID: "sha512-" and 64 hex digits.
constexpr size_t k_key_length = 7 + 64;

}  // namespace

Result<store::ImageInfo> find_stored_image(store::ImageStore& store, const ImageRef& ref) {
  switch (ref.kind) {
    case RefKind::hash:
      return store.resolve_id_prefix(ref.text);
    case RefKind::name:
      return store.find_by_name(ref.name, ref.labels);
    case RefKind::path: {
      RKT_TRY_ASSIGN(std::string id, compute_image_id(ref.path));
      return store.get_by_key(id.substr(0, k_key_length));
    }
    case RefKind::url:
    case RefKind::docker:
      break;
  }
  return Error::make(ErrorKind::not_found, "no image found for {} in the store", ref.text);
}

Result<store::ImageInfo> find_stored_image(store::ImageStore& store, std::string_view text) {
  RKT_TRY_ASSIGN(ImageRef ref, parse_image_ref(text));
  return find_stored_image(store, ref);
}

}  // namespace rkt::image

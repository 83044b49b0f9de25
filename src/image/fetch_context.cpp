#include "image/fetch_context.hpp"

#include "store/store_paths.hpp"

namespace rkt::image {

Result<std::filesystem::path> downloads_dir(const store::ImageStore& store) {
  std::filesystem::path dir = store.paths().cas / "downloads";
  RKT_TRY(store::make_store_dir(dir, store::k_cas_dir_mode, store::store_group()));
  return dir;
}

}  // namespace rkt::image

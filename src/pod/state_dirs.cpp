#include "pod/state_dirs.hpp"

#include "store/store_paths.hpp"
#include "util/file.hpp"

namespace rkt::pod {

Result<void> make_state_dir(const PodsDir& pods, StateDir dir) {
  if (util::is_dir(pods.state_dir(dir))) return {};
  const auto group = store::store_group();
  if (!util::is_dir(pods.data_dir)) {
    RKT_TRY(util::make_dirs(pods.data_dir.parent_path(), 0755));
    RKT_TRY(store::make_store_dir(pods.data_dir, store::k_data_dir_mode, group));
  }
  RKT_TRY(store::make_store_dir(pods.pods(), k_state_dir_mode, group));
  return store::make_store_dir(pods.state_dir(dir), k_state_dir_mode, group);
}

}  // namespace rkt::pod

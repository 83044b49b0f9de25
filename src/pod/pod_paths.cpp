#include "pod/pod_paths.hpp"

namespace rkt::pod {

fs::path PodsDir::state_dir(StateDir dir) const { return pods() / state_dir_name(dir); }

}  // namespace rkt::pod

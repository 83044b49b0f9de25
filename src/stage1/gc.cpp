#include "stage1/args.hpp"
#include "stage1/entrypoints.hpp"
#include "stage1/paths.hpp"
#include "stage1/pod_cgroups.hpp"
#include "stage1/report.hpp"

namespace rkt::stage1 {

int gc_main(const std::vector<std::string>& raw_args) {
  auto args = parse_gc_args(raw_args);
  if (!args) {
    report("gc: {}", args.error().message);
    return k_exit_failure;
  }
  set_debug(args->debug);
  // Every mount of the pod lived in its mount namespace and went with it. The cgroups are
  // normally removed at the pod's exit; these are what a killed run entrypoint left.
  if (auto removed = remove_pod_cgroups(k_cgroups_file, args->uuid); !removed) {
    report("gc: {}", removed.error().message);
    return k_exit_failure;
  }
  debug("gc of pod {}: cgroups released", args->uuid);
  return 0;
}

}  // namespace rkt::stage1

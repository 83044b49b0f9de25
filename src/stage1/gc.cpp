#include "stage1/args.hpp"
#include "stage1/entrypoints.hpp"
#include "stage1/paths.hpp"
#include "stage1/report.hpp"

namespace rkt::stage1 {

int gc_main(const std::vector<std::string>& raw_args) {
  auto args = parse_gc_args(raw_args);
  if (!args) {
    report("gc: {}", args.error().message);
    return k_exit_failure;
  }
  set_debug(args->debug);
  // Every mount of the pod lived in its mount namespace and went with it; networks (CNI, from
  // issue 6 on) will be released here.
  debug("gc of pod {}: nothing to release", args->uuid);
  return 0;
}

}  // namespace rkt::stage1

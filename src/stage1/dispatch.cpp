#include <string_view>

#include "stage1/entrypoints.hpp"
#include "stage1/paths.hpp"
#include "stage1/report.hpp"

namespace rkt::stage1 {

namespace {

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/// -1 when `name` is not an entrypoint of this flavor.
int run_named(Flavor flavor, std::string_view name, const std::vector<std::string>& args) {
  if (name == "init" && flavor == Flavor::native) return native_init_main(args);
  if (name == "run" && flavor == Flavor::fly) return fly_run_main(args);
  if (name == "enter") return enter_main(flavor, args);
  if (name == "stop") return stop_main(args);
  if (name == "gc") return gc_main(args);
  return -1;
}

}  // namespace

int dispatch(Flavor flavor, int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  std::string_view name = argc > 0 ? base_name(argv[0]) : "";
  int status = run_named(flavor, name, args);
  if (status >= 0) return status;
  if (!args.empty()) {
    std::string sub = args.front();
    args.erase(args.begin());
    status = run_named(flavor, sub, args);
    if (status >= 0) return status;
  }
  report("unknown entrypoint \"{}\" (expected {}, enter, stop or gc)", name,
         flavor == Flavor::native ? "init" : "run");
  return k_exit_failure;
}

}  // namespace rkt::stage1

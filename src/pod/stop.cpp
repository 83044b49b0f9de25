#include "pod/stop.hpp"

#include "pod/pod_entrypoint.hpp"

namespace rkt::pod {

Result<void> stop_pod(const Pod& pod, StopMode mode) {
  if (pod.state() != PodState::running) {
    return Error::make(ErrorKind::conflict, "pod \"{}\" is not running", pod.uuid());
  }
  auto entrypoint = find_stage1_entrypoint(pod.paths(), k_stage1_stop_annotation);
  if (!entrypoint) return std::move(entrypoint).error().wrap("stopping pod \"{}\"", pod.uuid());
  std::vector<std::string> args;
  if (mode == StopMode::force) args.push_back("--force");
  args.push_back(pod.uuid());
  RKT_TRY_ASSIGN(int status, run_stage1_entrypoint(pod.paths(), *entrypoint, args));
  if (status != 0) {
    return Error::make(ErrorKind::io, "error stopping pod \"{}\": stop entrypoint exited with {}",
                       pod.uuid(), status);
  }
  return {};
}

}  // namespace rkt::pod

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "appc/types.hpp"
#include "pod/pod.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// `rkt enter [--app=NAME] UUID [CMD ARGS...]`.
struct EnterRequest {
  std::string app;                   // empty: the pod's only app
  std::vector<std::string> command;  // empty: /bin/bash
};

/// The app to enter: `requested` if the pod has it; else the only app; with several apps and
/// none requested, an error listing them ("specify app using --app: a, b").
Result<std::string> choose_enter_app(const appc::PodManifest& manifest, std::string_view requested);

/// The enter entrypoint's argv: ENTRYPOINT --pid=PID --appname=APP -- CMD ARGS...
std::vector<std::string> stage1_enter_argv(const std::string& entrypoint, int pid,
                                           std::string_view app,
                                           const std::vector<std::string>& command);

/// Enters a running pod (from Pod::find): waits while its pid file is missing but the pod is
/// alive, then from the pod directory execs the stage1 enter entrypoint. Without a command
/// prints "no command specified, assuming \"/bin/bash\"" and runs /bin/bash. Returns only on
/// failure.
Result<void> enter_pod(const Pod& pod, const EnterRequest& request);

}  // namespace rkt::pod

#include "pod/enter.hpp"

#include <unistd.h>

#include <chrono>
#include <thread>

#include "pod/pod_entrypoint.hpp"
#include "pod/pod_lock.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace rkt::pod {

namespace {

/// How often enter looks for the pid file of a pod that is still starting.
constexpr auto k_pid_poll_interval = std::chrono::milliseconds(50);

std::string app_list(const appc::PodManifest& manifest) {
  std::vector<std::string> names;
  for (const auto& app : manifest.apps) names.push_back(app.name);
  return util::join(names, ", ");
}

/// The pod's PID 1, waiting for the stage1 to write it while the pod is alive.
Result<pid_t> wait_for_pid(const Pod& pod) {
  while (true) {
    auto pid = pod.pid();
    if (pid || pid.error().kind != ErrorKind::not_found) return pid;
    RKT_TRY_ASSIGN(bool alive, is_pod_locked(pod.dir_fd()));
    if (!alive) {
      return Error::make(ErrorKind::invalid_argument, "pod {} exited before it started",
                         pod.uuid());
    }
    std::this_thread::sleep_for(k_pid_poll_interval);
  }
}

}  // namespace

Result<std::string> choose_enter_app(const appc::PodManifest& manifest,
                                     std::string_view requested) {
  if (!requested.empty()) {
    for (const auto& app : manifest.apps) {
      if (app.name == requested) return app.name;
    }
    return Error::make(ErrorKind::not_found, "app \"{}\" is not in the pod (its apps: {})",
                       requested, app_list(manifest));
  }
  if (manifest.apps.empty()) {
    return Error::make(ErrorKind::invalid_argument, "pod contains zero apps");
  }
  if (manifest.apps.size() > 1) {
    return Error::make(
        ErrorKind::invalid_argument,
        "pod contains multiple apps ({}): specify app using \"rkt enter --app= ...\"",
        app_list(manifest));
  }
  return manifest.apps.front().name;
}

std::vector<std::string> stage1_enter_argv(const std::string& entrypoint, int pid,
                                           std::string_view app,
                                           const std::vector<std::string>& command) {
  std::vector<std::string> argv{entrypoint, "--pid=" + std::to_string(pid),
                                "--appname=" + std::string(app), "--"};
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

Result<void> enter_pod(const Pod& pod, const EnterRequest& request) {
  if (pod.state() != PodState::running) {
    return Error::make(ErrorKind::invalid_argument, "pod {} isn't currently running (state: {})",
                       pod.uuid(), state_name(pod.state()));
  }
  RKT_TRY_ASSIGN(auto manifest, pod.manifest());
  RKT_TRY_ASSIGN(std::string app, choose_enter_app(manifest, request.app));
  std::vector<std::string> command = request.command;
  if (command.empty()) {
    log::info("no command specified, assuming \"/bin/bash\"");
    command = {"/bin/bash"};
  }
  RKT_TRY_ASSIGN(auto entrypoint, find_stage1_entrypoint(pod.paths(), k_stage1_enter_annotation));
  RKT_TRY_ASSIGN(pid_t pid, wait_for_pid(pod));
  auto argv = stage1_enter_argv(entrypoint.path.string(), pid, app, command);
  if (::chdir(pod.dir().c_str()) != 0) {
    return Error::from_errno(errno, "chdir `{}`", pod.dir().string());
  }
  std::vector<char*> c_argv;
  for (const auto& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);
  ::execv(c_argv[0], c_argv.data());
  return Error::from_errno(errno, "exec of stage1 enter entrypoint `{}`", argv[0]);
}

}  // namespace rkt::pod

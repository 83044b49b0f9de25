#pragma once

#include <sys/types.h>

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "appc/types.hpp"
#include "sys/process.hpp"
#include "util/result.hpp"

namespace rkt::stage1 {

namespace fs = std::filesystem;

struct AppSecurity;
struct AppCgroup;

/// An event handler ready to run: its argv and the executable found for argv[0].
struct HandlerPlan {
  std::vector<std::string> argv;
  std::string path;
};

/// Everything needed to start one app, resolved before any fork.
struct AppPlan {
  std::string name;
  std::string root;  // what the app is chrooted into when it starts
  std::vector<std::string> argv;
  std::string exec_path;  // argv[0] resolved inside the root
  std::vector<std::string> env;
  std::string working_directory;  // "/" when the app sets none
  sys::Credentials credentials;
  std::optional<HandlerPlan> pre_start;
  std::optional<HandlerPlan> post_stop;
  /// Capabilities, no_new_privs and seccomp for the app and its handlers; null: none applied
  /// (stage1-fly, or a plan not yet given one).
  std::shared_ptr<const AppSecurity> security;
  /// The app's cgroups and OOM score, entered first in its child (and its handlers'); null:
  /// none (stage1-fly).
  std::shared_ptr<const AppCgroup> cgroup;
  /// Socket activation: how many of the sockets passed to the pod (fds 3..) the app gets.
  int listen_fds = 0;
};

/// Builds an app's plan from its pod-manifest entry and final environment. `rootfs_now` is where
/// the app's rootfs can be read now (users, groups and executables are resolved there);
/// `root_at_launch` is where it will be when the app starts (after pivot_root for stage1-native).
Result<AppPlan> plan_app(const appc::RuntimeApp& app, const fs::path& rootfs_now,
                         std::string root_at_launch, std::vector<std::string> env);

/// Starts the app: chroot, user and groups, working directory (which must exist), environment,
/// then its pre-start handler (same user and environment; must exit 0), then exec. Returns once
/// the app's exec succeeded; a failure says which step, e.g. `exec of "/bin/x" in app "a"
/// failed: No such file or directory`.
Result<pid_t> start_app(const AppPlan& plan, const std::array<int, 3>& stdio, sys::Session session);

/// Runs the app's post-stop handler, if any, the same way, and waits for it; a non-zero exit is
/// an error.
Result<void> run_post_stop(const AppPlan& plan, const std::array<int, 3>& stdio);

}  // namespace rkt::stage1

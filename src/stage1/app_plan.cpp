#include "stage1/app_plan.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include "stage1/app_security.hpp"
#include "stage1/environment.hpp"
#include "stage1/pod_cgroups.hpp"
#include "sys/users.hpp"

namespace rkt::stage1 {

namespace {

Result<std::optional<HandlerPlan>> plan_handler(const appc::App& app, const char* name,
                                                const fs::path& rootfs, const std::string& path_env,
                                                const std::string& cwd) {
  for (const auto& handler : app.event_handlers) {
    if (handler.name != name || handler.exec.empty()) continue;
    HandlerPlan plan{handler.exec, {}};
    RKT_TRY_ASSIGN(plan.path, find_executable(rootfs, handler.exec[0], path_env, cwd));
    return std::optional<HandlerPlan>(std::move(plan));
  }
  return std::optional<HandlerPlan>();
}

/// What the pre-start hook needs in the child: C arrays built before fork.
struct PreStartContext {
  const char* path = nullptr;
  std::vector<char*> argv;
  std::vector<char*> envp;
  const char* app = nullptr;
  const AppSecurity* security = nullptr;
  const AppCgroup* cgroup = nullptr;
};

std::vector<char*> c_array(const std::vector<std::string>& strings) {
  std::vector<char*> array;
  for (const auto& s : strings) array.push_back(const_cast<char*>(s.c_str()));
  array.push_back(nullptr);
  return array;
}

void describe_handler(const PreStartContext& context, sys::ChildFailure& failure) {
  failure.append("pre-start event handler \"");
  failure.append(context.path);
  failure.append("\" of app \"");
  failure.append(context.app);
  failure.append("\"");
}

/// Runs in the app's child between fork and exec: vfork + exec the handler and wait for it.
bool run_pre_start(void* raw, sys::ChildFailure& failure) {
  auto& context = *static_cast<PreStartContext*>(raw);
  volatile int exec_errno = 0;
  pid_t pid = ::vfork();
  if (pid == 0) {
    sys::ChildFailure ignored;
    if (!context.security || apply_security_before_exec(*context.security, ignored)) {
      ::execve(context.path, context.argv.data(), context.envp.data());
    }
    exec_errno = errno;  // vfork: the parent sees this write
    ::_exit(127);
  }
  if (pid < 0) {
    failure.sys_errno = errno;
    failure.append("vfork for the pre-start event handler");
    return false;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  describe_handler(context, failure);
  if (exec_errno != 0) {
    failure.sys_errno = exec_errno;
    failure.append(" could not be executed");
    return false;
  }
  int exit_status = sys::exit_status_from_wait(status);
  if (exit_status == 0) return true;
  failure.append(" failed with exit status ");
  failure.append_number(exit_status);
  return false;
}

/// The app's child after its pre-start handler: the last step before exec.
bool before_app_exec(void* raw, sys::ChildFailure& failure) {
  auto& context = *static_cast<PreStartContext*>(raw);
  if (context.path && !run_pre_start(raw, failure)) return false;
  return !context.security || apply_security_before_exec(*context.security, failure);
}

/// The app's child while still root: cgroups and OOM score first (the pre-start handler runs in
/// them too), then the capability sets.
bool before_credentials(void* raw, sys::ChildFailure& failure) {
  auto& context = *static_cast<PreStartContext*>(raw);
  if (context.cgroup && !context.cgroup->enter(failure)) return false;
  return !context.security || apply_security_before_credentials(*context.security, failure);
}

/// `context` must outlive the spawn.
sys::SpawnOptions base_options(const AppPlan& plan, const std::array<int, 3>& stdio,
                               PreStartContext& context) {
  sys::SpawnOptions options;
  options.env = plan.env;
  options.root = plan.root;
  options.cwd = plan.working_directory;
  options.credentials = plan.credentials;
  options.stdio = stdio;
  options.inherit_fds = sys::InheritFds::stdio_only;
  options.listen_fds = plan.listen_fds;
  options.description = " in app \"" + plan.name + "\"";
  context.security = plan.security.get();
  context.cgroup = plan.cgroup.get();
  if (plan.cgroup) options.cgroup_dir = plan.cgroup->v2_dir();
  if (plan.security || plan.cgroup) {
    options.before_credentials_hook = before_credentials;
    options.before_credentials_context = &context;
  }
  return options;
}

}  // namespace

Result<AppPlan> plan_app(const appc::RuntimeApp& app, const fs::path& rootfs_now,
                         std::string root_at_launch, std::vector<std::string> env) {
  if (!app.app || app.app->exec.empty()) {
    return Error::make(ErrorKind::invalid_argument, "app \"{}\" has no exec", app.name);
  }
  const appc::App& spec = *app.app;
  AppPlan plan;
  plan.name = app.name;
  plan.root = std::move(root_at_launch);
  plan.argv = spec.exec;
  plan.env = std::move(env);
  plan.working_directory = spec.working_directory.empty() ? "/" : spec.working_directory;
  auto wrap = [&](Error e) { return std::move(e).wrap("app \"{}\"", app.name); };
  std::string path_env = env_value(plan.env, "PATH");
  auto exec_path = find_executable(rootfs_now, spec.exec[0], path_env, plan.working_directory);
  if (!exec_path) return wrap(std::move(exec_path).error());
  plan.exec_path = std::move(*exec_path);
  auto creds = sys::resolve_credentials(rootfs_now, spec.user, spec.group, spec.supplementary_gids);
  if (!creds) return wrap(std::move(creds).error());
  plan.credentials = std::move(*creds);
  auto pre = plan_handler(spec, "pre-start", rootfs_now, path_env, plan.working_directory);
  if (!pre) return wrap(std::move(pre).error());
  plan.pre_start = std::move(*pre);
  auto post = plan_handler(spec, "post-stop", rootfs_now, path_env, plan.working_directory);
  if (!post) return wrap(std::move(post).error());
  plan.post_stop = std::move(*post);
  return plan;
}

Result<pid_t> start_app(const AppPlan& plan, const std::array<int, 3>& stdio,
                        sys::Session session) {
  PreStartContext context;
  sys::SpawnOptions options = base_options(plan, stdio, context);
  options.argv = plan.argv;
  options.path = plan.exec_path;
  options.session = session;
  if (plan.pre_start) {
    context.path = plan.pre_start->path.c_str();
    context.argv = c_array(plan.pre_start->argv);
    context.envp = c_array(plan.env);
    context.app = plan.name.c_str();
  }
  if (plan.pre_start || plan.security) {
    options.hook = before_app_exec;
    options.hook_context = &context;
  }
  return sys::spawn(options);
}

Result<void> run_post_stop(const AppPlan& plan, const std::array<int, 3>& stdio) {
  if (!plan.post_stop) return {};
  PreStartContext context;  // no handler path: only the app's cgroups and security
  sys::SpawnOptions options = base_options(plan, stdio, context);
  options.argv = plan.post_stop->argv;
  options.path = plan.post_stop->path;
  options.description = " (post-stop event handler of app \"" + plan.name + "\")";
  if (plan.security) {
    options.hook = before_app_exec;
    options.hook_context = &context;
  }
  RKT_TRY_ASSIGN(pid_t pid, sys::spawn(options));
  RKT_TRY_ASSIGN(int status, sys::wait_for_exit(pid));
  if (status != 0) {
    return Error::make(ErrorKind::io,
                       "post-stop event handler \"{}\" of app \"{}\" failed with exit status {}",
                       plan.post_stop->path, plan.name, status);
  }
  return {};
}

}  // namespace rkt::stage1

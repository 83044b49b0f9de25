#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "pod/enter.hpp"
#include "pod/export.hpp"
#include "pod/gc.hpp"
#include "pod/logs.hpp"
#include "pod/rm.hpp"
#include "pod/stop.hpp"
#include "pod/uuid.hpp"
#include "util/log.hpp"
#include "util/time.hpp"

namespace rkt::cli {

namespace {

struct PodsTarget {
  std::vector<std::string> uuids;
  std::string uuid_file;
  bool force = false;
};

struct GcFlags {
  std::string grace_period = "30m0s";
  std::string expire_prepared = "24h0m0s";
  bool mark_only = false;
};

struct EnterFlags {
  std::string app;
  std::string uuid;
  std::vector<std::string> command;
};

struct LogsFlags {
  std::string app;
  std::string uuid;
  bool follow = false;
  size_t lines = 0;
};

struct ExportFlags {
  std::string app;
  std::string uuid;
  std::string output;
  bool overwrite = false;
};

pod::DeleteOptions delete_options(Context& context) {
  return pod::DeleteOptions{context.globals().debug, context.globals().local_config};
}

Result<std::vector<std::string>> target_uuids(const PodsTarget& target) {
  std::vector<std::string> uuids = target.uuids;
  if (!target.uuid_file.empty()) {
    RKT_TRY_ASSIGN(std::string uuid, pod::read_uuid_file(target.uuid_file));
    uuids.push_back(uuid);
  }
  if (uuids.empty()) return Error::make(ErrorKind::invalid_argument, "a pod UUID is required");
  return uuids;
}

/// Applies `action` to every pod named; reports each failure and fails at the end if any did.
template <typename Action>
Result<int> for_each_pod(Context& context, const PodsTarget& target, std::string_view verb,
                         Action action) {
  RKT_TRY_ASSIGN(pod::PodsDir pods, context.pods_dir());
  RKT_TRY_ASSIGN(auto uuids, target_uuids(target));
  bool failed = false;
  for (const std::string& prefix : uuids) {
    auto pod = pod::Pod::find(pods, prefix);
    auto done = pod ? action(pods, *pod) : Result<void>(pod.error());
    if (!done) {
      log::write_line(fmt::format("{}: {}: {}", verb, prefix, done.error().message));
      failed = true;
    }
  }
  return failed ? k_exit_failure : k_exit_success;
}

Result<int> run_rm(Context& context, const PodsTarget& target) {
  RKT_TRY(require_root("rm"));
  return for_each_pod(context, target, "rm", [&](const pod::PodsDir& pods, const pod::Pod& pod) -> Result<void> {
    RKT_TRY(pod::remove_pod(pods, pod.uuid(), delete_options(context)));
    std::cout << "\"" << pod.uuid() << "\"" << std::endl;
    return Result<void>();
  });
}

Result<int> run_stop(Context& context, const PodsTarget& target) {
  RKT_TRY(require_root("stop"));
  return for_each_pod(context, target, "stop", [&](const pod::PodsDir&, const pod::Pod& pod) -> Result<void> {
    RKT_TRY(pod::stop_pod(pod, target.force ? pod::StopMode::force : pod::StopMode::graceful));
    std::cout << "\"" << pod.uuid() << "\"" << std::endl;
    return Result<void>();
  });
}

Result<int> run_gc(Context& context, const GcFlags& flags) {
  RKT_TRY(require_root("gc"));
  pod::GcOptions options;
  RKT_TRY_ASSIGN(options.grace_period, util::parse_duration(flags.grace_period));
  RKT_TRY_ASSIGN(options.expire_prepared, util::parse_duration(flags.expire_prepared));
  options.mode = flags.mark_only ? pod::GcMode::mark_only : pod::GcMode::collect;
  options.delete_options = delete_options(context);
  RKT_TRY_ASSIGN(pod::PodsDir pods, context.pods_dir());
  RKT_TRY(pod::gc_pods(pods, options, std::cout));
  return k_exit_success;
}

Result<int> run_enter(Context& context, const EnterFlags& flags) {
  RKT_TRY(require_root("enter"));
  RKT_TRY_ASSIGN(pod::PodsDir pods, context.pods_dir());
  RKT_TRY_ASSIGN(pod::Pod pod, pod::Pod::find(pods, flags.uuid));
  RKT_TRY(pod::enter_pod(pod, pod::EnterRequest{flags.app, flags.command}));
  return k_exit_failure;
}

Result<int> run_logs(Context& context, const LogsFlags& flags) {
  RKT_TRY_ASSIGN(pod::PodsDir pods, context.pods_dir());
  RKT_TRY_ASSIGN(pod::Pod pod, pod::Pod::find(pods, flags.uuid));
  pod::LogsOptions options;
  if (!flags.app.empty()) options.app = flags.app;
  options.lines = flags.lines;
  options.follow = flags.follow ? pod::Follow::yes : pod::Follow::no;
  RKT_TRY(pod::read_logs(pod, options, std::cout));
  return k_exit_success;
}

Result<int> run_export(Context& context, const ExportFlags& flags) {
  RKT_TRY(require_root("export"));
  RKT_TRY_ASSIGN(pod::PodsDir pods, context.pods_dir());
  RKT_TRY_ASSIGN(pod::Pod pod, pod::Pod::find(pods, flags.uuid));
  RKT_TRY(pod::export_pod_app(pod, flags.app, flags.output,
                              flags.overwrite ? pod::Overwrite::yes : pod::Overwrite::no));
  return k_exit_success;
}

}  // namespace

void add_pod_management_commands(CommandTable& table, Context& context) {
  auto rm = std::make_shared<PodsTarget>();
  CLI::App* rm_cmd = table.add(nullptr, "rm", "Remove all files and resources associated with an exited pod",
                               [&context, rm] { return run_rm(context, *rm); });
  rm_cmd->add_option("UUID", rm->uuids, "pod UUIDs (or unique prefixes)");
  rm_cmd->add_option("--uuid-file", rm->uuid_file, "read the pod UUID from this file");

  auto stop = std::make_shared<PodsTarget>();
  CLI::App* stop_cmd = table.add(nullptr, "stop", "Stop a pod",
                                 [&context, stop] { return run_stop(context, *stop); });
  stop_cmd->add_option("UUID", stop->uuids, "pod UUIDs (or unique prefixes)");
  stop_cmd->add_option("--uuid-file", stop->uuid_file, "read the pod UUID from this file");
  stop_cmd->add_flag("--force", stop->force, "forced stopping (SIGKILL)");

  auto gc = std::make_shared<GcFlags>();
  CLI::App* gc_cmd = table.add(nullptr, "gc", "Garbage collect rkt pods no longer in use",
                               [&context, gc] { return run_gc(context, *gc); });
  gc_cmd->add_option("--grace-period", gc->grace_period,
                     "duration to wait before discarding inactive pods from garbage")
      ->capture_default_str();
  gc_cmd->add_option("--expire-prepared", gc->expire_prepared,
                     "duration to wait before expiring prepared pods")
      ->capture_default_str();
  gc_cmd->add_flag("--mark-only", gc->mark_only,
                   "move exited and aborted pods to the garbage directories without deleting them");

  auto enter = std::make_shared<EnterFlags>();
  CLI::App* enter_cmd = table.add(nullptr, "enter", "Enter the namespaces of an app within a rkt pod",
                                  [&context, enter] { return run_enter(context, *enter); });
  enter_cmd->add_option("--app", enter->app, "the name of the app to enter within the pod");
  enter_cmd->add_option("UUID", enter->uuid, "the pod's UUID (or a unique prefix)")->required();
  enter_cmd->add_option("CMD", enter->command, "the command to run (default /bin/bash)");
  enter_cmd->positionals_at_end();

  auto logs = std::make_shared<LogsFlags>();
  CLI::App* logs_cmd = table.add(nullptr, "logs", "Print the logs of a pod's apps",
                                 [&context, logs] { return run_logs(context, *logs); });
  logs_cmd->add_option("--app", logs->app, "only this app's logs");
  logs_cmd->add_flag("-f,--follow", logs->follow, "keep printing new lines until the pod exits");
  logs_cmd->add_option("-n,--lines", logs->lines, "print only the last N lines of each app");
  logs_cmd->add_option("UUID", logs->uuid, "the pod's UUID (or a unique prefix)")->required();

  auto exported = std::make_shared<ExportFlags>();
  CLI::App* export_cmd = table.add(nullptr, "export", "Export an app from an exited pod to an ACI file",
                                   [&context, exported] { return run_export(context, *exported); });
  export_cmd->add_option("--app", exported->app, "the name of the app to export within the pod");
  export_cmd->add_flag("--overwrite", exported->overwrite, "overwrite the output ACI");
  export_cmd->add_option("UUID", exported->uuid, "the pod's UUID (or a unique prefix)")->required();
  export_cmd->add_option("OUTPUT", exported->output, "the ACI file to write")->required();
}

}  // namespace rkt::cli

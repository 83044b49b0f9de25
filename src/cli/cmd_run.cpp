#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/pod_request_builder.hpp"
#include "pod/pod.hpp"
#include "pod/prepare.hpp"
#include "pod/run.hpp"

namespace rkt::cli {

namespace {

struct RunOptions {
  PodFlags pod;
  RuntimeFlags runtime;
};

struct PrepareOptions {
  PodFlags pod;
  bool quiet = false;
};

struct RunPreparedOptions {
  RuntimeFlags runtime;
  std::string uuid;
};

Result<int> run_run(Context& context, const RunOptions& options) {
  RKT_TRY(require_root("run"));
  RKT_TRY_ASSIGN(pod::RunRequest run, build_run_request(context, options.runtime));
  RKT_TRY(pod::validate_run_request(run, context.app_arguments().apps.size()));
  RKT_TRY_ASSIGN(pod::PodRequest request, build_pod_request(context, options.pod));
  RKT_TRY_ASSIGN(pod::PodsDir pods, context.pods_dir());
  RKT_TRY_ASSIGN(store::ImageStore * store, context.store());
  RKT_TRY_ASSIGN(pod::PreparedPod prepared,
                 pod::prepare_pod(pods, *store, request, pod::PrepareMode::for_run));
  // Only returns on failure: on success this process has become the pod's stage1.
  RKT_TRY(pod::run_pod(pods, std::move(prepared), run));
  return k_exit_failure;
}

Result<int> run_prepare(Context& context, const PrepareOptions& options) {
  RKT_TRY(require_root("prepare"));
  RKT_TRY_ASSIGN(pod::PodRequest request, build_pod_request(context, options.pod));
  RKT_TRY_ASSIGN(pod::PodsDir pods, context.pods_dir());
  RKT_TRY_ASSIGN(store::ImageStore * store, context.store());
  RKT_TRY_ASSIGN(pod::PreparedPod prepared,
                 pod::prepare_pod(pods, *store, request, pod::PrepareMode::for_prepare));
  std::cout << prepared.uuid << std::endl;
  return k_exit_success;
}

Result<int> run_run_prepared(Context& context, const RunPreparedOptions& options) {
  RKT_TRY(require_root("run-prepared"));
  RKT_TRY_ASSIGN(pod::PodsDir pods, context.pods_dir());
  RKT_TRY_ASSIGN(pod::Pod pod, pod::Pod::find(pods, options.uuid));
  RKT_TRY_ASSIGN(pod::RunRequest run, build_run_request(context, options.runtime));
  RKT_TRY_ASSIGN(auto apps, pod.app_names());
  RKT_TRY(pod::validate_run_request(run, apps.size()));
  RKT_TRY(pod::run_prepared(pod, run));
  return k_exit_failure;
}

}  // namespace

void add_run_commands(CommandTable& table, Context& context) {
  auto run = std::make_shared<RunOptions>();
  CLI::App* run_cmd = table.add(nullptr, "run", "Run image(s) in a pod in rkt",
                                [&context, run] { return run_run(context, *run); });
  run_cmd->footer("Usage: rkt run [flags] IMAGE [-- image-args...[---]]...");
  add_pod_flags(run_cmd, run->pod);
  add_runtime_flags(run_cmd, run->runtime);
  describe_app_flags(run_cmd);

  auto prepare = std::make_shared<PrepareOptions>();
  CLI::App* prepare_cmd = table.add(nullptr, "prepare", "Prepare to run image(s) in a pod in rkt",
                                    [&context, prepare] { return run_prepare(context, *prepare); });
  prepare_cmd->footer("Usage: rkt prepare [flags] IMAGE [-- image-args...[---]]...");
  add_pod_flags(prepare_cmd, prepare->pod);
  prepare_cmd->add_flag("--quiet", prepare->quiet, "suppress superfluous output on stdout, print only the UUID");
  describe_app_flags(prepare_cmd);

  auto prepared = std::make_shared<RunPreparedOptions>();
  CLI::App* rp = table.add(nullptr, "run-prepared", "Run a prepared application pod in rkt",
                           [&context, prepared] { return run_run_prepared(context, *prepared); });
  rp->add_option("UUID", prepared->uuid, "the prepared pod's UUID (or a unique prefix)")->required();
  add_runtime_flags(rp, prepared->runtime);
}

}  // namespace rkt::cli

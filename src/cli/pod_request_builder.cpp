#include "cli/pod_request_builder.hpp"

#include "appc/manifest.hpp"
#include "cli/app_flags.hpp"
#include "pod/env.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::cli {

namespace {

Result<store::ImageInfo> select_stage1(Context& context, image::Fetcher& fetcher,
                                       const PodFlags& flags) {
  RKT_TRY(pod::validate_stage1_flags(flags.stage1));
  RKT_TRY_ASSIGN(const config::Config* cfg, context.config());
  RKT_TRY_ASSIGN(store::ImageStore * store, context.store());
  pod::Stage1Defaults defaults;
  defaults.configured = cfg->stage1;
  defaults.build_version = RKT_VERSION;
  defaults.images_dir = cfg->paths.stage1_images.empty()
                            ? std::filesystem::path(RKT_STAGE1_IMAGES_DIR)
                            : std::filesystem::path(cfg->paths.stage1_images);
  return pod::select_stage1(*store, fetcher, flags.stage1, defaults);
}

Result<pod::AppRequest> build_app(image::Fetcher& fetcher, const AppArgs& args,
                                  const std::vector<AppFlag>& common_flags) {
  pod::AppRequest app;
  for (const AppFlag& flag : args.flags) {
    if (flag.name == "signature") app.signature = flag.value;
  }
  RKT_TRY_ASSIGN(image::ImageRef ref, image::parse_image_ref(args.image));
  auto fetched = fetcher.fetch(image::FetchRequest{std::move(ref), app.signature});
  if (!fetched) return std::move(fetched).error().wrap("{}", args.image);
  app.image = std::move(fetched).value();
  for (const AppFlag& flag : common_flags) RKT_TRY(apply_app_flag(app, flag));
  for (const AppFlag& flag : args.flags) RKT_TRY(apply_app_flag(app, flag));
  app.args = args.args;
  app.args_given = args.args_given;
  return app;
}

Result<void> add_pod_level_flags(pod::PodRequest& request, const PodFlags& flags) {
  for (const std::string& text : flags.volumes) {
    RKT_TRY_ASSIGN(appc::Volume volume, parse_volume_flag(text));
    request.volumes.push_back(std::move(volume));
  }
  for (const std::string& text : flags.ports) {
    RKT_TRY_ASSIGN(appc::ExposedPort port, parse_port_flag(text));
    request.ports.push_back(std::move(port));
  }
  for (const std::string& text : flags.set_env) {
    auto assignment = pod::parse_env_assignment(text);
    if (!assignment) return std::move(assignment).error().wrap("--set-env");
    request.set_env.push_back(std::move(assignment).value());
  }
  if (!flags.set_env_file.empty()) {
    auto pairs = pod::read_env_file(flags.set_env_file);
    if (!pairs) return std::move(pairs).error().wrap("--set-env-file");
    request.set_env_file = std::move(pairs).value();
  }
  request.inherit_env = flags.inherit_env;
  request.no_overlay = flags.no_overlay;
  request.private_users = flags.private_users;
  request.uuid_file_save = flags.uuid_file_save;
  return {};
}

}  // namespace

Result<pod::PodRequest> build_pod_request(Context& context, const PodFlags& flags) {
  const SplitArguments& split = context.app_arguments();
  if (split.apps.empty() && flags.pod_manifest.empty()) {
    return Error::make(ErrorKind::invalid_argument,
                       "at least one image or --pod-manifest must be given");
  }
  if (!split.apps.empty() && !flags.pod_manifest.empty()) {
    return Error::make(ErrorKind::invalid_argument,
                       "--pod-manifest and images on the command line are mutually exclusive");
  }
  RKT_TRY_ASSIGN(image::PullPolicy policy, image::parse_pull_policy(flags.pull_policy));
  RKT_TRY_ASSIGN(image::Fetcher fetcher, context.fetcher(policy, image::FetchPurpose::pod));
  pod::PodRequest request;
  RKT_TRY(add_pod_level_flags(request, flags));
  request.skip_tree_check = context.insecure().ondisk;
  // The stage1 first, as the seed shows rkt reporting it before the apps' images.
  RKT_TRY_ASSIGN(request.stage1.image, select_stage1(context, fetcher, flags));
  if (!flags.pod_manifest.empty()) {
    RKT_TRY_ASSIGN(std::string text, util::read_file(flags.pod_manifest));
    auto manifest = appc::parse_pod_manifest(text);
    if (!manifest) return std::move(manifest).error().wrap("--pod-manifest {}", flags.pod_manifest);
    request.pod_manifest = std::move(manifest).value();
  }
  for (const AppArgs& args : split.apps) {
    RKT_TRY_ASSIGN(pod::AppRequest app, build_app(fetcher, args, split.before_images));
    request.apps.push_back(std::move(app));
  }
  return request;
}

Result<pod::RunRequest> build_run_request(Context& context, const RuntimeFlags& flags) {
  pod::RunRequest request;
  request.net = flags.net.empty() ? "default" : util::join(flags.net, ",");
  request.interactive = flags.interactive;
  request.hostname = flags.hostname;
  request.debug = context.globals().debug;
  request.mds_register = flags.mds_register;
  request.local_config = context.globals().local_config;
  request.disable_capabilities = context.insecure().capabilities;
  request.disable_paths = context.insecure().paths;
  request.disable_seccomp = context.insecure().seccomp;
  request.dns = flags.dns;
  request.dns_search = flags.dns_search;
  request.dns_opt = flags.dns_opt;
  request.dns_domain = flags.dns_domain;
  request.hosts_entries = flags.hosts_entries;
  return request;
}

}  // namespace rkt::cli

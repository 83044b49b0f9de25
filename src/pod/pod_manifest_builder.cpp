#include "pod/pod_manifest_builder.hpp"

#include <unistd.h>

#include <algorithm>
#include <set>

#include "appc/isolator.hpp"
#include "appc/labels.hpp"
#include "appc/manifest.hpp"
#include "appc/names.hpp"
#include "util/file.hpp"

namespace rkt::pod {

namespace {

template <typename... Args>
Error invalid(fmt::format_string<Args...> format, Args&&... args) {
  return Error::make(ErrorKind::invalid_argument, format, std::forward<Args>(args)...);
}

/// Isolators a command-line isolator displaces besides its own name: retain and remove sets of
/// one kind can't be combined, so either flag replaces both (rkt's prepareIsolators).
std::vector<std::string_view> displaced_by(std::string_view name) {
  if (name == appc::k_isolator_caps_retain || name == appc::k_isolator_caps_remove) {
    return {appc::k_isolator_caps_retain, appc::k_isolator_caps_remove};
  }
  if (name == appc::k_isolator_seccomp_retain || name == appc::k_isolator_seccomp_remove) {
    return {appc::k_isolator_seccomp_retain, appc::k_isolator_seccomp_remove};
  }
  return {};
}

/// App mounts without repeated target paths; the first mount of a path wins (rkt's MergeMounts).
std::vector<appc::Mount> deduplicated_mounts(const std::vector<appc::Mount>& mounts) {
  std::vector<appc::Mount> unique;
  std::set<std::string> paths;
  for (const auto& mount : mounts) {
    if (paths.insert(mount.path).second) unique.push_back(mount);
  }
  return unique;
}

const appc::Volume* find_volume(const std::vector<appc::Volume>& volumes, std::string_view name) {
  auto it = std::find_if(volumes.begin(), volumes.end(),
                         [&](const appc::Volume& volume) { return volume.name == name; });
  return it == volumes.end() ? nullptr : &*it;
}

bool app_defines_port(const appc::PodManifest& manifest, std::string_view name) {
  for (const auto& app : manifest.apps) {
    if (!app.app) continue;
    for (const auto& port : app.app->ports) {
      if (port.name == name) return true;
    }
  }
  return false;
}

/// rkt's ForwardedPorts check: every exposed port names a port of some app (or brings its own
/// podPort), once.
Result<void> check_ports(const appc::PodManifest& manifest) {
  std::set<std::string> seen;
  for (const auto& port : manifest.ports) {
    if (!seen.insert(port.name).second) {
      return invalid("port \"{}\" is forwarded more than once", port.name);
    }
    if (!port.pod_port && !app_defines_port(manifest, port.name)) {
      return invalid("port name \"{}\" is not defined by any app", port.name);
    }
  }
  return {};
}

Result<void> check_mount_volumes(const std::vector<appc::Volume>& volumes, const AppRequest& app,
                                 std::string_view app_name) {
  for (const auto& mount : app.mounts) {
    if (mount.app_volume || find_volume(volumes, mount.volume)) continue;
    return invalid("app \"{}\": --mount names volume \"{}\", which no --volume defines", app_name,
                   mount.volume);
  }
  return {};
}

appc::RuntimeImage runtime_image(const store::ImageInfo& image) {
  return appc::RuntimeImage{image.manifest.name, image.id, image.manifest.labels};
}

Result<appc::RuntimeApp> runtime_app(const AppRequest& app, const PodRequest& request,
                                     const EnvPairs& parent_environ) {
  appc::RuntimeApp runtime;
  RKT_TRY_ASSIGN(runtime.name, app_name_of(app));
  runtime.image = runtime_image(app.image);
  std::vector<appc::EnvironmentVariable> image_env;
  if (app.image.manifest.app) image_env = app.image.manifest.app->environment;
  auto env = app_environment(image_env, app, request, parent_environ);
  auto effective = effective_app(app, std::move(env));
  if (!effective) return std::move(effective).error().wrap("app \"{}\"", runtime.name);
  runtime.app = std::move(*effective);
  runtime.read_only_root_fs = app.readonly_rootfs.value_or(false);
  runtime.mounts = deduplicated_mounts(app.mounts);
  runtime.annotations = app.annotations;
  return runtime;
}

void add_pod_annotations(appc::PodManifest& manifest, const PodRequest& request) {
  manifest.annotations.push_back({k_annotation_mutable, "false"});
  for (const auto& annotation : request.annotations) {
    if (!appc::find_annotation(manifest.annotations, annotation.name)) {
      manifest.annotations.push_back(annotation);
    }
  }
}

}  // namespace

Result<std::string> app_name_of(const AppRequest& app) {
  if (!app.name.empty()) {
    if (!appc::is_ac_name(app.name)) {
      return invalid("invalid app name \"{}\": use lowercase letters, digits and '-'", app.name);
    }
    return app.name;
  }
  auto name = appc::sanitize_ac_name(app.image.manifest.name);
  if (!name) {
    return std::move(name).error().wrap("no app name for image {}: use --name",
                                        app.image.manifest.name);
  }
  return name;
}

Result<appc::App> effective_app(const AppRequest& app, std::vector<appc::EnvironmentVariable> env) {
  const auto& image_app = app.image.manifest.app;
  if (!image_app && !app.exec) {
    return invalid("image {} has no app section and --exec argument is not provided",
                   app.image.manifest.name);
  }
  appc::App result;
  if (image_app) {
    result = *image_app;
  } else {
    // rkt's minimal app for an image without one: the caller's own identity.
    result.user = std::to_string(::getuid());
    result.group = std::to_string(::getgid());
  }
  if (app.exec) result.exec = {*app.exec};
  result.exec.insert(result.exec.end(), app.args.begin(), app.args.end());
  if (result.exec.empty()) {
    return invalid("image {} has no exec: use --exec", app.image.manifest.name);
  }
  if (app.working_dir) result.working_directory = *app.working_dir;
  if (app.user) result.user = *app.user;
  if (app.group) result.group = *app.group;
  if (app.supplementary_gids) result.supplementary_gids = *app.supplementary_gids;
  for (const auto& isolator : app.isolators) {
    appc::replace_isolator(result.isolators, isolator, displaced_by(isolator.name));
  }
  if (!app.user_annotations.empty()) result.user_annotations = app.user_annotations;
  if (!app.user_labels.empty()) result.user_labels = app.user_labels;
  result.environment = std::move(env);
  return result;
}

void add_implicit_volumes(appc::PodManifest& manifest) {
  for (const auto& app : manifest.apps) {
    if (!app.app) continue;
    for (const auto& point : app.app->mount_points) {
      bool mounted = std::any_of(app.mounts.begin(), app.mounts.end(), [&](const appc::Mount& m) {
        return m.volume == point.name || m.path == point.path;
      });
      if (mounted || find_volume(manifest.volumes, point.name)) continue;
      appc::Volume volume;
      volume.name = point.name;
      volume.kind = "empty";
      manifest.volumes.push_back(appc::volume_with_defaults(std::move(volume)));
    }
  }
}

Result<void> validate_pod_request(const PodRequest& request) {
  if (request.pod_manifest) {
    bool conflicting = !request.apps.empty() || !request.volumes.empty() ||
                       !request.ports.empty() || !request.set_env.empty() ||
                       !request.set_env_file.empty() || request.inherit_env ||
                       request.private_users || !request.annotations.empty() ||
                       !request.user_annotations.empty() || !request.user_labels.empty();
    if (conflicting) return invalid("conflicting flags set with --pod-manifest (see --help)");
    return {};
  }
  if (request.apps.empty()) return invalid("at least one image is required");
  std::set<std::string> names;
  for (size_t i = 0; i < request.volumes.size(); ++i) {
    const auto& volume = request.volumes[i];
    RKT_TRY(appc::validate_volume(volume, fmt::format("--volume {}", volume.name)));
    if (!names.insert(volume.name).second) {
      return invalid("volume \"{}\" is defined more than once", volume.name);
    }
    if (volume.kind == "host" && !util::path_exists(volume.source)) {
      return Error::make(ErrorKind::not_found, "volume \"{}\": source `{}` does not exist",
                         volume.name, volume.source);
    }
  }
  for (const auto& app : request.apps) {
    RKT_TRY_ASSIGN(std::string name, app_name_of(app));
    RKT_TRY(check_mount_volumes(request.volumes, app, name));
  }
  return {};
}

Result<appc::PodManifest> build_pod_manifest(const PodRequest& request,
                                             const EnvPairs& parent_environ) {
  if (request.pod_manifest) return invalid("a --pod-manifest is taken as is, not built");
  RKT_TRY(validate_pod_request(request));
  appc::PodManifest manifest;
  for (const auto& app : request.apps) {
    RKT_TRY_ASSIGN(auto runtime, runtime_app(app, request, parent_environ));
    bool duplicate = std::any_of(manifest.apps.begin(), manifest.apps.end(),
                                 [&](const appc::RuntimeApp& a) { return a.name == runtime.name; });
    if (duplicate) {
      return invalid("multiple apps with name \"{}\": use --name to give each app its own name",
                     runtime.name);
    }
    manifest.apps.push_back(std::move(runtime));
  }
  manifest.volumes = request.volumes;
  manifest.ports = request.ports;
  RKT_TRY(check_ports(manifest));
  add_implicit_volumes(manifest);
  add_pod_annotations(manifest, request);
  manifest.user_annotations = request.user_annotations;
  manifest.user_labels = request.user_labels;
  auto valid = appc::validate(manifest);
  if (!valid) return std::move(valid).error().wrap("invalid pod manifest");
  return manifest;
}

Result<ResolvedPodManifest> resolve_pod_manifest(store::ImageStore& store,
                                                 appc::PodManifest manifest) {
  ResolvedPodManifest resolved;
  std::set<std::string> names;
  if (manifest.apps.empty()) return invalid("the pod manifest has no apps");
  for (auto& app : manifest.apps) {
    if (app.image.id.empty()) return invalid("no image ID for app \"{}\"", app.name);
    auto image = store.resolve_id_prefix(app.image.id);
    if (!image) {
      return std::move(image).error().wrap("app \"{}\": image {} is not in the store", app.name,
                                           app.image.id);
    }
    if (!names.insert(app.name).second) {
      return invalid("multiple apps with same name \"{}\"", app.name);
    }
    if (!app.app && !image->manifest.app) {
      return invalid("app \"{}\": no app section in the pod manifest or the image manifest",
                     app.name);
    }
    // Our stage1 reads every app's settings from the pod manifest alone.
    if (!app.app) app.app = image->manifest.app;
    if (app.image.name.empty()) app.image.name = image->manifest.name;
    resolved.images.push_back(std::move(*image));
  }
  RKT_TRY(check_ports(manifest));
  add_implicit_volumes(manifest);
  auto valid = appc::validate(manifest);
  if (!valid) return std::move(valid).error().wrap("invalid pod manifest");
  resolved.manifest = std::move(manifest);
  return resolved;
}

}  // namespace rkt::pod

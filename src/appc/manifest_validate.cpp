// The appc rules on manifest values. Every error starts with the path of the offending field.
#include <arpa/inet.h>

#include <algorithm>
#include <set>

#include "appc/isolator.hpp"
#include "appc/labels.hpp"
#include "appc/manifest.hpp"
#include "appc/names.hpp"
#include "appc/value_formats.hpp"

namespace rkt::appc {
namespace {

template <typename... Args>
Error invalid(fmt::format_string<Args...> format, Args&&... args) {
  return Error::make(ErrorKind::invalid_argument, format, std::forward<Args>(args)...);
}

std::string join_path(std::string_view path, std::string_view field) {
  return path.empty() ? std::string(field) : fmt::format("{}.{}", path, field);
}

Result<void> validate_header(std::string_view kind, std::string_view expected_kind,
                             std::string_view version) {
  if (kind != expected_kind)
    return invalid("acKind: {} must be {}", quote(kind), quote(expected_kind));
  if (version.empty()) return invalid("acVersion is required");
  if (!is_semver(version)) return invalid("acVersion: {} is not a SemVer version", quote(version));
  return {};
}

Result<void> validate_absolute(std::string_view field, std::string_view value) {
  if (is_absolute_path(value)) return {};
  return invalid("{}: {} is not an absolute path", field, quote(value));
}

// A {name: unique} check shared by mount points, ports, apps and volumes.
Result<void> check_unique(std::set<std::string>& seen, std::string_view field,
                          const std::string& name) {
  if (seen.insert(name).second) return {};
  return invalid("{}: {} is given more than once", field, quote(name));
}

Result<void> validate_port(const Port& port, std::string_view path) {
  RKT_TRY(validate_ac_name(join_path(path, "name"), port.name));
  if (port.port < 1 || port.port > 65535) {
    return invalid("{}: {} is not in 1..65535", join_path(path, "port"), port.port);
  }
  if (port.count < 1)
    return invalid("{}: {} must be at least 1", join_path(path, "count"), port.count);
  if (uint64_t{port.port} + port.count - 1 > 65535) {
    return invalid("{}: range {}..{} goes past 65535", join_path(path, "count"), port.port,
                   uint64_t{port.port} + port.count - 1);
  }
  return {};
}

Result<void> validate_event_handlers(const std::vector<EventHandler>& handlers,
                                     std::string_view path) {
  std::set<std::string> seen;
  for (size_t i = 0; i < handlers.size(); ++i) {
    std::string field = fmt::format("{}[{}].name", path, i);
    const std::string& name = handlers[i].name;
    if (name != "pre-start" && name != "post-stop") {
      return invalid("{}: {} is not \"pre-start\" or \"post-stop\"", field, quote(name));
    }
    RKT_TRY(check_unique(seen, field, name));
  }
  return {};
}

Result<void> validate_environment(const std::vector<EnvironmentVariable>& environment,
                                  std::string_view path) {
  std::set<std::string> seen;
  for (size_t i = 0; i < environment.size(); ++i) {
    std::string field = fmt::format("{}[{}].name", path, i);
    if (!is_env_name(environment[i].name)) {
      return invalid("{}: {} is not a valid environment variable name", field,
                     quote(environment[i].name));
    }
    RKT_TRY(check_unique(seen, field, environment[i].name));
  }
  return {};
}

Result<void> validate_mount_points(const std::vector<MountPoint>& mount_points,
                                   std::string_view path) {
  std::set<std::string> seen;
  for (size_t i = 0; i < mount_points.size(); ++i) {
    std::string item = fmt::format("{}[{}]", path, i);
    RKT_TRY(validate_ac_name(item + ".name", mount_points[i].name));
    RKT_TRY(check_unique(seen, item + ".name", mount_points[i].name));
    RKT_TRY(validate_absolute(item + ".path", mount_points[i].path));
  }
  return {};
}

Result<void> validate_ports(const std::vector<Port>& ports, std::string_view path) {
  std::set<std::string> seen;
  for (size_t i = 0; i < ports.size(); ++i) {
    std::string item = fmt::format("{}[{}]", path, i);
    RKT_TRY(validate_port(ports[i], item));
    RKT_TRY(check_unique(seen, item + ".name", ports[i].name));
  }
  return {};
}

Result<void> validate_dependencies(const std::vector<Dependency>& dependencies) {
  for (size_t i = 0; i < dependencies.size(); ++i) {
    std::string item = fmt::format("dependencies[{}]", i);
    RKT_TRY(validate_ac_identifier(item + ".imageName", dependencies[i].image_name));
    const std::string& id = dependencies[i].image_id;
    if (!id.empty() && !is_image_id(id)) {
      return invalid("{}.imageID: {} is not an image ID (sha512-<digest>)", item, quote(id));
    }
    RKT_TRY(validate_labels(dependencies[i].labels, item + ".labels"));
  }
  return {};
}

Result<void> validate_mount(const Mount& mount, std::string_view path) {
  RKT_TRY(validate_ac_name(join_path(path, "volume"), mount.volume));
  RKT_TRY(validate_absolute(join_path(path, "path"), mount.path));
  if (mount.app_volume) {
    std::string field = join_path(path, "appVolume");
    RKT_TRY_ASSIGN(Volume volume, parse_volume(*mount.app_volume, field));
    RKT_TRY(validate_volume(volume, field));
  }
  return {};
}

Result<void> validate_runtime_app(const RuntimeApp& app, std::string_view path) {
  RKT_TRY(validate_ac_name(join_path(path, "name"), app.name));
  std::string image = join_path(path, "image");
  if (app.image.id.empty()) return invalid("{}.id is required", image);
  if (!is_image_id(app.image.id)) {
    return invalid("{}.id: {} is not an image ID (sha512-<digest>)", image, quote(app.image.id));
  }
  if (!app.image.name.empty()) RKT_TRY(validate_ac_identifier(image + ".name", app.image.name));
  RKT_TRY(validate_labels(app.image.labels, image + ".labels"));
  if (app.app) RKT_TRY(validate_app(*app.app, join_path(path, "app")));
  for (size_t i = 0; i < app.mounts.size(); ++i) {
    RKT_TRY(validate_mount(app.mounts[i], fmt::format("{}.mounts[{}]", path, i)));
  }
  return validate_annotations(app.annotations, join_path(path, "annotations"));
}

Result<void> validate_exposed_port(const ExposedPort& port, std::string_view path) {
  RKT_TRY(validate_ac_name(join_path(path, "name"), port.name));
  if (port.host_port < 1 || port.host_port > 65535) {
    return invalid("{}: {} is not in 1..65535", join_path(path, "hostPort"), port.host_port);
  }
  in_addr address{};
  if (!port.host_ip.empty() && ::inet_pton(AF_INET, port.host_ip.c_str(), &address) != 1) {
    return invalid("{}: {} is not an IPv4 address", join_path(path, "hostIP"), quote(port.host_ip));
  }
  if (port.pod_port) RKT_TRY(validate_port(*port.pod_port, join_path(path, "podPort")));
  return {};
}

bool is_octal_mode(std::string_view mode) {
  return !mode.empty() && mode.size() <= 4 &&
         std::all_of(mode.begin(), mode.end(), [](char c) { return c >= '0' && c <= '7'; });
}

}  // namespace

Result<void> validate_app(const App& app, std::string_view path) {
  if (!app.exec.empty() && app.exec[0].empty()) {
    return invalid("{}[0]: must not be empty", join_path(path, "exec"));
  }
  if (app.user.empty()) return invalid("{} is required", join_path(path, "user"));
  if (app.group.empty()) return invalid("{} is required", join_path(path, "group"));
  for (size_t i = 0; i < app.supplementary_gids.size(); ++i) {
    if (app.supplementary_gids[i] < 0) {
      return invalid("{}[{}]: {} is negative", join_path(path, "supplementaryGIDs"), i,
                     app.supplementary_gids[i]);
    }
  }
  RKT_TRY(validate_event_handlers(app.event_handlers, join_path(path, "eventHandlers")));
  if (!app.working_directory.empty()) {
    RKT_TRY(validate_absolute(join_path(path, "workingDirectory"), app.working_directory));
  }
  RKT_TRY(validate_environment(app.environment, join_path(path, "environment")));
  RKT_TRY(validate_isolators(app.isolators, join_path(path, "isolators")));
  RKT_TRY(validate_mount_points(app.mount_points, join_path(path, "mountPoints")));
  return validate_ports(app.ports, join_path(path, "ports"));
}

Result<void> validate_volume(const Volume& volume, std::string_view path) {
  RKT_TRY(validate_ac_name(join_path(path, "name"), volume.name));
  if (volume.kind == "host") {
    RKT_TRY(validate_absolute(join_path(path, "source"), volume.source));
    const char* empty_only = !volume.mode.empty() ? "mode"
                             : volume.uid         ? "uid"
                             : volume.gid         ? "gid"
                                                  : nullptr;
    if (empty_only != nullptr) {
      return invalid("{}: only empty volumes have a {}", join_path(path, empty_only), empty_only);
    }
    return {};
  }
  if (volume.kind == "empty") {
    if (!volume.source.empty()) {
      return invalid("{}: empty volumes have no source, got {}", join_path(path, "source"),
                     quote(volume.source));
    }
    if (!volume.mode.empty() && !is_octal_mode(volume.mode)) {
      return invalid("{}: {} is not an octal mode such as \"0755\"", join_path(path, "mode"),
                     quote(volume.mode));
    }
    return {};
  }
  return invalid("{}: {} is not \"host\" or \"empty\"", join_path(path, "kind"),
                 quote(volume.kind));
}

Result<void> validate(const ImageManifest& manifest) {
  RKT_TRY(validate_header(manifest.ac_kind, "ImageManifest", manifest.ac_version));
  RKT_TRY(validate_ac_identifier("name", manifest.name));
  RKT_TRY(validate_labels(manifest.labels, "labels"));
  if (manifest.app) RKT_TRY(validate_app(*manifest.app, "app"));
  RKT_TRY(validate_dependencies(manifest.dependencies));
  for (size_t i = 0; i < manifest.path_whitelist.size(); ++i) {
    RKT_TRY(validate_absolute(fmt::format("pathWhitelist[{}]", i), manifest.path_whitelist[i]));
  }
  return validate_annotations(manifest.annotations, "annotations");
}

Result<void> validate(const PodManifest& manifest) {
  RKT_TRY(validate_header(manifest.ac_kind, "PodManifest", manifest.ac_version));
  std::set<std::string> app_names;
  for (size_t i = 0; i < manifest.apps.size(); ++i) {
    std::string item = fmt::format("apps[{}]", i);
    RKT_TRY(validate_runtime_app(manifest.apps[i], item));
    RKT_TRY(check_unique(app_names, item + ".name", manifest.apps[i].name));
  }
  std::set<std::string> volume_names;
  for (size_t i = 0; i < manifest.volumes.size(); ++i) {
    std::string item = fmt::format("volumes[{}]", i);
    RKT_TRY(validate_volume(manifest.volumes[i], item));
    RKT_TRY(check_unique(volume_names, item + ".name", manifest.volumes[i].name));
  }
  RKT_TRY(validate_isolators(manifest.isolators, "isolators"));
  RKT_TRY(validate_annotations(manifest.annotations, "annotations"));
  std::set<std::string> port_names;
  for (size_t i = 0; i < manifest.ports.size(); ++i) {
    std::string item = fmt::format("ports[{}]", i);
    RKT_TRY(validate_exposed_port(manifest.ports[i], item));
    RKT_TRY(check_unique(port_names, item + ".name", manifest.ports[i].name));
  }
  return {};
}

Volume volume_with_defaults(Volume volume) {
  if (!volume.read_only) volume.read_only = false;
  if (volume.kind == "empty") {
    if (volume.mode.empty()) volume.mode = "0755";
    if (!volume.uid) volume.uid = 0;
    if (!volume.gid) volume.gid = 0;
  } else if (volume.kind == "host" && !volume.recursive) {
    volume.recursive = true;
  }
  return volume;
}

}  // namespace rkt::appc

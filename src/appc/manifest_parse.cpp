// JSON -> manifest structs. Type errors are reported here; rules on values live in
// manifest_validate.cpp so that manifests built in code are checked the same way.
#include <limits>

#include "appc/json_reader.hpp"
#include "appc/manifest.hpp"

namespace rkt::appc {
namespace {

using nlohmann::json;

constexpr int64_t k_max_u32 = std::numeric_limits<uint32_t>::max();
constexpr int64_t k_max_i64 = std::numeric_limits<int64_t>::max();

template <typename NameValue>
Result<NameValue> parse_name_value(const json& value, const std::string& path) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(value, path));
  NameValue out;
  RKT_TRY_ASSIGN(out.name, object.required_string("name"));
  RKT_TRY_ASSIGN(out.value, object.string("value"));
  return out;
}

Result<Labels> parse_labels(const JsonObject& object, std::string_view key) {
  return object.list<Label>(key, parse_name_value<Label>);
}

Result<Annotations> parse_annotations(const JsonObject& object, std::string_view key) {
  return object.list<Annotation>(key, parse_name_value<Annotation>);
}

Result<Isolator> parse_isolator(const json& value, const std::string& path) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(value, path));
  Isolator out;
  RKT_TRY_ASSIGN(out.name, object.required_string("name"));
  const json* raw = object.find("value");
  if (raw == nullptr) {
    return Error::make(ErrorKind::invalid_argument, "{} is required", object.field_path("value"));
  }
  out.value = *raw;
  return out;
}

Result<EventHandler> parse_event_handler(const json& value, const std::string& path) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(value, path));
  EventHandler out;
  RKT_TRY_ASSIGN(out.name, object.required_string("name"));
  RKT_TRY_ASSIGN(out.exec, object.string_list("exec"));
  return out;
}

Result<MountPoint> parse_mount_point(const json& value, const std::string& path) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(value, path));
  MountPoint out;
  RKT_TRY_ASSIGN(out.name, object.required_string("name"));
  RKT_TRY_ASSIGN(out.path, object.required_string("path"));
  RKT_TRY_ASSIGN(out.read_only, object.boolean("readOnly", false));
  return out;
}

Result<Port> parse_port(const json& value, const std::string& path) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(value, path));
  Port out;
  RKT_TRY_ASSIGN(out.name, object.required_string("name"));
  RKT_TRY_ASSIGN(out.protocol, object.string("protocol"));
  RKT_TRY_ASSIGN(auto port, object.optional_integer("port", 1, 65535));
  if (!port) {
    return Error::make(ErrorKind::invalid_argument, "{} is required", object.field_path("port"));
  }
  out.port = static_cast<uint32_t>(*port);
  RKT_TRY_ASSIGN(auto count, object.optional_integer("count", 1, 65535));
  out.count = static_cast<uint32_t>(count.value_or(1));
  RKT_TRY_ASSIGN(out.socket_activated, object.boolean("socketActivated", false));
  return out;
}

Result<EnvironmentVariable> parse_environment_variable(const json& value, const std::string& path) {
  return parse_name_value<EnvironmentVariable>(value, path);
}

Result<std::vector<int64_t>> parse_gids(const JsonObject& object) {
  // appc writes supplementaryGIDs; its own example spells it supplementaryGids (Go reads both).
  std::string_view key =
      object.find("supplementaryGIDs") ? "supplementaryGIDs" : "supplementaryGids";
  return object.list<int64_t>(
      key, [](const json& value, const std::string& path) -> Result<int64_t> {
        if (!value.is_number_unsigned()) {  // nlohmann stores non-negative integers as unsigned
          return Error::make(ErrorKind::invalid_argument,
                             "{}: expected a group ID (0 or more), got {}", path,
                             describe_json(value));
        }
        if (value.get<uint64_t>() > uint64_t(k_max_u32)) {
          return Error::make(ErrorKind::invalid_argument, "{}: {} is not in 0..{}", path,
                             value.dump(), k_max_u32);
        }
        return value.get<int64_t>();
      });
}

Result<App> parse_app(const json& value, const std::string& path) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(value, path));
  App app;
  RKT_TRY_ASSIGN(app.exec, object.string_list("exec"));
  RKT_TRY_ASSIGN(app.user, object.required_string("user"));
  RKT_TRY_ASSIGN(app.group, object.required_string("group"));
  RKT_TRY_ASSIGN(app.supplementary_gids, parse_gids(object));
  RKT_TRY_ASSIGN(app.event_handlers,
                 object.list<EventHandler>("eventHandlers", parse_event_handler));
  RKT_TRY_ASSIGN(app.working_directory, object.string("workingDirectory"));
  RKT_TRY_ASSIGN(app.environment,
                 object.list<EnvironmentVariable>("environment", parse_environment_variable));
  RKT_TRY_ASSIGN(app.isolators, object.list<Isolator>("isolators", parse_isolator));
  RKT_TRY_ASSIGN(app.mount_points, object.list<MountPoint>("mountPoints", parse_mount_point));
  RKT_TRY_ASSIGN(app.ports, object.list<Port>("ports", parse_port));
  RKT_TRY_ASSIGN(app.user_annotations, object.string_map("userAnnotations"));
  RKT_TRY_ASSIGN(app.user_labels, object.string_map("userLabels"));
  return app;
}

Result<std::optional<App>> parse_optional_app(const JsonObject& object) {
  const json* app = object.find("app");
  if (app == nullptr) return std::optional<App>();
  RKT_TRY_ASSIGN(App parsed, parse_app(*app, object.field_path("app")));
  return std::optional<App>(std::move(parsed));
}

Result<Dependency> parse_dependency(const json& value, const std::string& path) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(value, path));
  Dependency out;
  RKT_TRY_ASSIGN(out.image_name, object.required_string("imageName"));
  RKT_TRY_ASSIGN(out.image_id, object.string("imageID"));
  RKT_TRY_ASSIGN(out.labels, parse_labels(object, "labels"));
  RKT_TRY_ASSIGN(auto size, object.optional_integer("size", 0, k_max_i64));
  out.size = static_cast<uint64_t>(size.value_or(0));
  return out;
}

Result<ImageManifest> image_manifest_from_json(const json& document) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(document, ""));
  ImageManifest m;
  RKT_TRY_ASSIGN(m.ac_kind, object.required_string("acKind"));
  RKT_TRY_ASSIGN(m.ac_version, object.required_string("acVersion"));
  RKT_TRY_ASSIGN(m.name, object.required_string("name"));
  RKT_TRY_ASSIGN(m.labels, parse_labels(object, "labels"));
  RKT_TRY_ASSIGN(m.app, parse_optional_app(object));
  RKT_TRY_ASSIGN(m.annotations, parse_annotations(object, "annotations"));
  RKT_TRY_ASSIGN(m.dependencies, object.list<Dependency>("dependencies", parse_dependency));
  RKT_TRY_ASSIGN(m.path_whitelist, object.string_list("pathWhitelist"));
  return m;
}

Result<RuntimeImage> parse_runtime_image(const json& value, const std::string& path) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(value, path));
  RuntimeImage out;
  RKT_TRY_ASSIGN(out.name, object.string("name"));
  RKT_TRY_ASSIGN(out.id, object.required_string("id"));
  RKT_TRY_ASSIGN(out.labels, parse_labels(object, "labels"));
  return out;
}

Result<Mount> parse_mount(const json& value, const std::string& path) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(value, path));
  Mount out;
  RKT_TRY_ASSIGN(out.volume, object.required_string("volume"));
  RKT_TRY_ASSIGN(out.path, object.required_string("path"));
  if (const json* app_volume = object.find("appVolume")) out.app_volume = *app_volume;
  return out;
}

Result<RuntimeApp> parse_runtime_app(const json& value, const std::string& path) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(value, path));
  RuntimeApp out;
  RKT_TRY_ASSIGN(out.name, object.required_string("name"));
  const json* image = object.find("image");
  if (image == nullptr) {
    return Error::make(ErrorKind::invalid_argument, "{} is required", object.field_path("image"));
  }
  RKT_TRY_ASSIGN(out.image, parse_runtime_image(*image, object.field_path("image")));
  RKT_TRY_ASSIGN(out.app, parse_optional_app(object));
  RKT_TRY_ASSIGN(out.read_only_root_fs, object.boolean("readOnlyRootFS", false));
  RKT_TRY_ASSIGN(out.mounts, object.list<Mount>("mounts", parse_mount));
  RKT_TRY_ASSIGN(out.annotations, parse_annotations(object, "annotations"));
  return out;
}

Result<ExposedPort> parse_exposed_port(const json& value, const std::string& path) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(value, path));
  ExposedPort out;
  RKT_TRY_ASSIGN(out.name, object.required_string("name"));
  RKT_TRY_ASSIGN(auto host_port, object.optional_integer("hostPort", 0, k_max_u32));
  out.host_port = static_cast<uint32_t>(host_port.value_or(0));
  RKT_TRY_ASSIGN(out.host_ip, object.string("hostIP"));
  if (const json* pod_port = object.find("podPort")) {
    RKT_TRY_ASSIGN(Port port, parse_port(*pod_port, object.field_path("podPort")));
    out.pod_port = std::move(port);
  }
  return out;
}

Result<PodManifest> pod_manifest_from_json(const json& document) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(document, ""));
  PodManifest m;
  RKT_TRY_ASSIGN(m.ac_kind, object.required_string("acKind"));
  RKT_TRY_ASSIGN(m.ac_version, object.required_string("acVersion"));
  RKT_TRY_ASSIGN(m.apps, object.list<RuntimeApp>("apps", parse_runtime_app));
  RKT_TRY_ASSIGN(m.volumes, object.list<Volume>("volumes", parse_volume));
  RKT_TRY_ASSIGN(m.isolators, object.list<Isolator>("isolators", parse_isolator));
  RKT_TRY_ASSIGN(m.annotations, parse_annotations(object, "annotations"));
  RKT_TRY_ASSIGN(m.ports, object.list<ExposedPort>("ports", parse_exposed_port));
  RKT_TRY_ASSIGN(m.user_annotations, object.string_map("userAnnotations"));
  RKT_TRY_ASSIGN(m.user_labels, object.string_map("userLabels"));
  return m;
}

// nlohmann can still throw on exotic input (e.g. invalid UTF-8 when dumping); keep it local.
template <typename Manifest, typename FromJson>
Result<Manifest> parse_manifest(std::string_view text, FromJson from_json) {
  try {
    RKT_TRY_ASSIGN(json document, parse_json_text(text));
    RKT_TRY_ASSIGN(Manifest manifest, from_json(document));
    RKT_TRY(validate(manifest));
    return manifest;
  } catch (const json::exception& error) {
    return Error::make(ErrorKind::invalid_argument, "invalid manifest: {}", error.what());
  }
}

}  // namespace

Result<Volume> parse_volume(const json& value, const std::string& path) {
  RKT_TRY_ASSIGN(auto object, JsonObject::open(value, path));
  Volume out;
  RKT_TRY_ASSIGN(out.name, object.required_string("name"));
  RKT_TRY_ASSIGN(out.kind, object.required_string("kind"));
  RKT_TRY_ASSIGN(out.source, object.string("source"));
  RKT_TRY_ASSIGN(out.read_only, object.optional_bool("readOnly"));
  RKT_TRY_ASSIGN(out.recursive, object.optional_bool("recursive"));
  RKT_TRY_ASSIGN(out.mode, object.string("mode"));
  RKT_TRY_ASSIGN(out.uid, object.optional_integer("uid", 0, k_max_u32));
  RKT_TRY_ASSIGN(out.gid, object.optional_integer("gid", 0, k_max_u32));
  return out;
}

Result<ImageManifest> parse_image_manifest(std::string_view json_text) {
  return parse_manifest<ImageManifest>(json_text, image_manifest_from_json);
}

Result<PodManifest> parse_pod_manifest(std::string_view json_text) {
  return parse_manifest<PodManifest>(json_text, pod_manifest_from_json);
}

Result<App> parse_app_json(const nlohmann::json& value) {
  try {
    RKT_TRY_ASSIGN(App app, parse_app(value, "app"));
    RKT_TRY(validate_app(app, "app"));
    return app;
  } catch (const json::exception& error) {
    return Error::make(ErrorKind::invalid_argument, "invalid app: {}", error.what());
  }
}

}  // namespace rkt::appc

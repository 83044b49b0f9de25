// Manifest structs -> JSON with appc's field names. Optional fields are written only when set so
// that parse(to_json(m)) == m and the output reads like what rkt and actool write.
#include "appc/manifest.hpp"

namespace rkt::appc {
namespace {

using nlohmann::json;

template <typename NameValue>
json name_values(const std::vector<NameValue>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back({{"name", item.name}, {"value", item.value}});
  return out;
}

json isolators_json(const std::vector<Isolator>& isolators) {
  json out = json::array();
  for (const Isolator& isolator : isolators) {
    out.push_back({{"name", isolator.name}, {"value", isolator.value}});
  }
  return out;
}

json port_json(const Port& port) {
  json out = {{"name", port.name}, {"port", port.port}, {"count", port.count}};
  if (!port.protocol.empty()) out["protocol"] = port.protocol;
  if (port.socket_activated) out["socketActivated"] = true;
  return out;
}

void put_map(json& out, const char* key, const std::map<std::string, std::string>& map) {
  if (!map.empty()) out[key] = map;
}

void put_event_handlers(json& out, const std::vector<EventHandler>& handlers) {
  if (handlers.empty()) return;
  json& list = out["eventHandlers"] = json::array();
  for (const EventHandler& handler : handlers) {
    list.push_back({{"name", handler.name}, {"exec", handler.exec}});
  }
}

void put_mount_points(json& out, const std::vector<MountPoint>& mount_points) {
  if (mount_points.empty()) return;
  json& list = out["mountPoints"] = json::array();
  for (const MountPoint& mount_point : mount_points) {
    json item = {{"name", mount_point.name}, {"path", mount_point.path}};
    if (mount_point.read_only) item["readOnly"] = true;
    list.push_back(std::move(item));
  }
}

json dependency_json(const Dependency& dependency) {
  json out = {{"imageName", dependency.image_name}};
  if (!dependency.image_id.empty()) out["imageID"] = dependency.image_id;
  if (!dependency.labels.empty()) out["labels"] = name_values(dependency.labels);
  if (dependency.size != 0) out["size"] = dependency.size;
  return out;
}

json runtime_app_json(const RuntimeApp& app) {
  json image = {{"id", app.image.id}};
  if (!app.image.name.empty()) image["name"] = app.image.name;
  if (!app.image.labels.empty()) image["labels"] = name_values(app.image.labels);
  json out = {{"name", app.name}, {"image", std::move(image)}};
  if (app.app) out["app"] = to_json(*app.app);
  if (app.read_only_root_fs) out["readOnlyRootFS"] = true;
  if (!app.mounts.empty()) {
    json& mounts = out["mounts"] = json::array();
    for (const Mount& mount : app.mounts) {
      json item = {{"volume", mount.volume}, {"path", mount.path}};
      if (mount.app_volume) item["appVolume"] = *mount.app_volume;
      mounts.push_back(std::move(item));
    }
  }
  if (!app.annotations.empty()) out["annotations"] = name_values(app.annotations);
  return out;
}

json exposed_port_json(const ExposedPort& port) {
  json out = {{"name", port.name}, {"hostPort", port.host_port}};
  if (!port.host_ip.empty()) out["hostIP"] = port.host_ip;
  if (port.pod_port) out["podPort"] = port_json(*port.pod_port);
  return out;
}

}  // namespace

json to_json(const App& app) {
  json out = {{"user", app.user}, {"group", app.group}};
  if (!app.exec.empty()) out["exec"] = app.exec;
  if (!app.supplementary_gids.empty()) out["supplementaryGIDs"] = app.supplementary_gids;
  put_event_handlers(out, app.event_handlers);
  if (!app.working_directory.empty()) out["workingDirectory"] = app.working_directory;
  if (!app.environment.empty()) out["environment"] = name_values(app.environment);
  if (!app.isolators.empty()) out["isolators"] = isolators_json(app.isolators);
  put_mount_points(out, app.mount_points);
  if (!app.ports.empty()) {
    json& ports = out["ports"] = json::array();
    for (const Port& port : app.ports) ports.push_back(port_json(port));
  }
  put_map(out, "userAnnotations", app.user_annotations);
  put_map(out, "userLabels", app.user_labels);
  return out;
}

json to_json(const Volume& volume) {
  json out = {{"name", volume.name}, {"kind", volume.kind}};
  if (!volume.source.empty()) out["source"] = volume.source;
  if (volume.read_only) out["readOnly"] = *volume.read_only;
  if (volume.recursive) out["recursive"] = *volume.recursive;
  if (!volume.mode.empty()) out["mode"] = volume.mode;
  if (volume.uid) out["uid"] = *volume.uid;
  if (volume.gid) out["gid"] = *volume.gid;
  return out;
}

json to_json(const ImageManifest& manifest) {
  json out = {
      {"acKind", manifest.ac_kind}, {"acVersion", manifest.ac_version}, {"name", manifest.name}};
  if (!manifest.labels.empty()) out["labels"] = name_values(manifest.labels);
  if (manifest.app) out["app"] = to_json(*manifest.app);
  if (!manifest.dependencies.empty()) {
    json& dependencies = out["dependencies"] = json::array();
    for (const Dependency& dependency : manifest.dependencies) {
      dependencies.push_back(dependency_json(dependency));
    }
  }
  if (!manifest.path_whitelist.empty()) out["pathWhitelist"] = manifest.path_whitelist;
  if (!manifest.annotations.empty()) out["annotations"] = name_values(manifest.annotations);
  return out;
}

json to_json(const PodManifest& manifest) {
  // apps is required by the spec, so it is written even when empty.
  json out = {
      {"acKind", manifest.ac_kind}, {"acVersion", manifest.ac_version}, {"apps", json::array()}};
  for (const RuntimeApp& app : manifest.apps) out["apps"].push_back(runtime_app_json(app));
  if (!manifest.volumes.empty()) {
    json& volumes = out["volumes"] = json::array();
    for (const Volume& volume : manifest.volumes) volumes.push_back(to_json(volume));
  }
  if (!manifest.isolators.empty()) out["isolators"] = isolators_json(manifest.isolators);
  if (!manifest.annotations.empty()) out["annotations"] = name_values(manifest.annotations);
  if (!manifest.ports.empty()) {
    json& ports = out["ports"] = json::array();
    for (const ExposedPort& port : manifest.ports) ports.push_back(exposed_port_json(port));
  }
  put_map(out, "userAnnotations", manifest.user_annotations);
  put_map(out, "userLabels", manifest.user_labels);
  return out;
}

}  // namespace rkt::appc

#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rkt::appc {

/// appc spec version written into manifests we create.
inline constexpr const char* k_ac_version = "0.8.11";

/// A {name, value} label, e.g. version=1.0, os=linux.
struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
};
using Labels = std::vector<Label>;

struct Annotation {
  std::string name;
  std::string value;
  bool operator==(const Annotation&) const = default;
};
using Annotations = std::vector<Annotation>;

struct EnvironmentVariable {
  std::string name;
  std::string value;
  bool operator==(const EnvironmentVariable&) const = default;
};

/// An isolator keeps its value as raw JSON; typed views live in isolator.hpp.
struct Isolator {
  std::string name;
  nlohmann::json value;
  bool operator==(const Isolator&) const = default;
};

struct EventHandler {
  std::string name;  // "pre-start" or "post-stop"
  std::vector<std::string> exec;
  bool operator==(const EventHandler&) const = default;
};

struct MountPoint {
  std::string name;
  std::string path;
  bool read_only = false;
  bool operator==(const MountPoint&) const = default;
};

struct Port {
  std::string name;
  std::string protocol;
  uint32_t port = 0;
  uint32_t count = 1;
  bool socket_activated = false;
  bool operator==(const Port&) const = default;
};

struct App {
  std::vector<std::string> exec;
  std::string user;
  std::string group;
  std::vector<int64_t> supplementary_gids;
  std::vector<EventHandler> event_handlers;
  std::string working_directory;
  std::vector<EnvironmentVariable> environment;
  std::vector<Isolator> isolators;
  std::vector<MountPoint> mount_points;
  std::vector<Port> ports;
  std::map<std::string, std::string> user_annotations;
  std::map<std::string, std::string> user_labels;
  bool operator==(const App&) const = default;
};

struct Dependency {
  std::string image_name;
  std::string image_id;  // empty when not pinned
  Labels labels;
  uint64_t size = 0;
  bool operator==(const Dependency&) const = default;
};

struct ImageManifest {
  std::string ac_kind = "ImageManifest";
  std::string ac_version = k_ac_version;
  std::string name;
  Labels labels;
  std::optional<App> app;
  Annotations annotations;
  std::vector<Dependency> dependencies;
  std::vector<std::string> path_whitelist;
  bool operator==(const ImageManifest&) const = default;
};

struct RuntimeImage {
  std::string name;
  std::string id;
  Labels labels;
  bool operator==(const RuntimeImage&) const = default;
};

struct Mount {
  std::string volume;
  std::string path;
  std::optional<nlohmann::json> app_volume;
  bool operator==(const Mount&) const = default;
};

struct RuntimeApp {
  std::string name;
  RuntimeImage image;
  std::optional<App> app;
  bool read_only_root_fs = false;
  std::vector<Mount> mounts;
  Annotations annotations;
  bool operator==(const RuntimeApp&) const = default;
};

struct Volume {
  std::string name;
  std::string kind;  // "host" or "empty"
  std::string source;
  std::optional<bool> read_only;
  std::optional<bool> recursive;
  std::string mode;  // empty volumes: "0755" by default
  std::optional<int64_t> uid;
  std::optional<int64_t> gid;
  bool operator==(const Volume&) const = default;
};

struct ExposedPort {
  std::string name;
  uint32_t host_port = 0;
  std::string host_ip;
  std::optional<Port> pod_port;
  bool operator==(const ExposedPort&) const = default;
};

struct PodManifest {
  std::string ac_kind = "PodManifest";
  std::string ac_version = k_ac_version;
  std::vector<RuntimeApp> apps;
  std::vector<Volume> volumes;
  std::vector<Isolator> isolators;
  Annotations annotations;
  std::vector<ExposedPort> ports;
  std::map<std::string, std::string> user_annotations;
  std::map<std::string, std::string> user_labels;
  bool operator==(const PodManifest&) const = default;
};

}  // namespace rkt::appc

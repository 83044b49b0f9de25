#include "image/docker/appc_mapping.hpp"

#include <algorithm>
#include <set>

#include "appc/manifest.hpp"
#include "appc/names.hpp"
#include "util/strings.hpp"

namespace rkt::image::docker {

namespace {

using nlohmann::json;

std::vector<std::string> string_list(const json& value) {
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const json& item : value) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  } else if (value.is_string()) {
    out.push_back(value.get<std::string>());
  }
  return out;
}

std::string appc_arch(const std::string& oci_arch, const std::string& variant) {
  if (oci_arch == "arm64") return "aarch64";
  if (oci_arch == "arm") return variant == "v6" ? "armv6l" : "armv7l";
  if (oci_arch == "386") return "i386";
  return oci_arch;
}

/// "volume-" + the path with every run of non-alphanumerics as one '-'.
std::string volume_name(const std::string& path) {
  std::string name = "volume";
  for (char c : util::to_lower(path)) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) {
      name += c;
    } else if (name.back() != '-') {
      name += '-';
    }
  }
  while (name.back() == '-') name.pop_back();
  return name;
}

void map_user(const std::string& docker_user, appc::App& app) {
  if (docker_user.empty()) {
    app.user = "0";
    app.group = "0";
    return;
  }
  size_t colon = docker_user.find(':');
  app.user = docker_user.substr(0, colon);
  app.group = colon == std::string::npos ? "0" : docker_user.substr(colon + 1);
}

void map_volumes(const json& volumes, appc::App& app) {
  if (!volumes.is_object()) return;
  std::set<std::string> names;
  for (const auto& [path, unused] : volumes.items()) {
    std::string name = volume_name(path);
    std::string unique = name;
    for (int n = 1; names.count(unique) != 0; ++n) unique = name + "-" + std::to_string(n);
    names.insert(unique);
    app.mount_points.push_back(appc::MountPoint{unique, path, false});
  }
}

void map_ports(const json& ports, appc::App& app) {
  if (!ports.is_object()) return;
  for (const auto& [spec, unused] : ports.items()) {
    size_t slash = spec.find('/');
    std::string number = spec.substr(0, slash);
    std::string protocol = slash == std::string::npos ? "tcp" : spec.substr(slash + 1);
    uint32_t port = static_cast<uint32_t>(std::strtoul(number.c_str(), nullptr, 10));
    if (port == 0) continue;
    app.ports.push_back(appc::Port{number + "-" + protocol, protocol, port, 1, false});
  }
}

/// Always an app, as docker2aci made: without Entrypoint and Cmd its exec is empty and
/// `rkt run IMAGE -- CMD` or --exec supplies it.
appc::App map_app(const json& config) {
  std::vector<std::string> entrypoint = string_list(config.value("Entrypoint", json()));
  std::vector<std::string> cmd = string_list(config.value("Cmd", json()));
  appc::App app;
  app.exec = entrypoint;
  app.exec.insert(app.exec.end(), cmd.begin(), cmd.end());
  map_user(config.value("User", ""), app);
  for (const std::string& variable : string_list(config.value("Env", json()))) {
    size_t eq = variable.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    app.environment.push_back({variable.substr(0, eq), variable.substr(eq + 1)});
  }
  app.working_directory = config.value("WorkingDir", "");
  map_volumes(config.value("Volumes", json()), app);
  map_ports(config.value("ExposedPorts", json()), app);
  return app;
}

}  // namespace

Result<appc::ImageManifest> appc_manifest_for(const json& image_config,
                                              const DockerOrigin& origin) {
  if (!image_config.is_object()) {
    return Error::make(ErrorKind::invalid_argument, "the image config is not a JSON object");
  }
  const DockerRef& ref = origin.ref;
  json config = image_config.value("config", json::object());
  if (!config.is_object()) config = json::object();
  appc::ImageManifest manifest;
  RKT_TRY_ASSIGN(manifest.name, appc::sanitize_ac_identifier(ref.registry + "/" + ref.repository));
  std::string version = ref.digest.empty() ? ref.tag : ref.digest.substr(7, 12);
  manifest.labels.push_back({"version", version});
  manifest.labels.push_back({"os", image_config.value("os", "linux")});
  manifest.labels.push_back(
      {"arch", appc_arch(image_config.value("architecture", "amd64"),
                         image_config.value("variant", ""))});
  manifest.app = map_app(config);
  auto annotate = [&](const std::string& name, const std::string& value) {
    if (!value.empty()) manifest.annotations.push_back({name, value});
  };
  annotate("author", image_config.value("author", ""));
  annotate("created", image_config.value("created", ""));
  annotate("appc.io/docker/registryurl", ref.registry);
  annotate("appc.io/docker/repository", ref.repository);
  annotate("appc.io/docker/imageid", origin.image_id);
  annotate("appc.io/docker/manifesthash", origin.manifest_digest);
  annotate("appc.io/docker/originalname", ref.canonical().substr(9));
  annotate("appc.io/docker/tag", ref.tag);
  if (config.contains("Entrypoint") && !config["Entrypoint"].is_null()) {
    annotate("appc.io/docker/entrypoint", config["Entrypoint"].dump());
  }
  if (config.contains("Cmd") && !config["Cmd"].is_null()) {
    annotate("appc.io/docker/cmd", config["Cmd"].dump());
  }
  // Docker's Cmd may name a program relative to PATH ("sh"), which appc's schema refuses for
  // exec; the rest must be valid.
  appc::ImageManifest checked = manifest;
  checked.app.reset();
  RKT_TRY(appc::validate(checked));
  return manifest;
}

}  // namespace rkt::image::docker

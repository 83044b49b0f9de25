#include "image/docker/image_manifest_v2.hpp"

#include <sys/utsname.h>

#include <nlohmann/json.hpp>

namespace rkt::image::docker {

namespace {

using nlohmann::json;

Result<json> parse_json(std::string_view body) {
  json value = json::parse(body, nullptr, false);
  if (value.is_discarded() || !value.is_object()) {
    return Error::make(ErrorKind::invalid_argument, "the manifest is not a JSON object");
  }
  return value;
}

Result<Descriptor> parse_descriptor(const json& value) {
  if (!value.is_object() || !value.contains("digest") || !value["digest"].is_string()) {
    return Error::make(ErrorKind::invalid_argument, "a descriptor has no digest");
  }
  Descriptor descriptor{value.value("mediaType", ""), value["digest"].get<std::string>(),
                        value.value("size", uint64_t{0})};
  if (descriptor.digest.rfind("sha256:", 0) != 0 || descriptor.digest.size() != 7 + 64) {
    return Error::make(ErrorKind::invalid_argument, "unsupported digest \"{}\"",
                       descriptor.digest);
  }
  return descriptor;
}

}  // namespace

std::vector<std::string> accepted_manifest_types() {
  return {k_oci_index,          k_docker_manifest_list, k_oci_manifest,
          k_docker_manifest_v2, k_docker_manifest_v1_signed, k_docker_manifest_v1};
}

Result<ManifestKind> classify_manifest(std::string_view media_type, std::string_view body) {
  RKT_TRY_ASSIGN(json value, parse_json(body));
  std::string type = value.value("mediaType", std::string(media_type));
  if (type == k_oci_index || type == k_docker_manifest_list || value.contains("manifests")) {
    return ManifestKind::index;
  }
  if (value.value("schemaVersion", 0) == 1) return ManifestKind::schema1;
  if (value.contains("layers") && value.contains("config")) return ManifestKind::image;
  return Error::make(ErrorKind::invalid_argument, "unsupported manifest type \"{}\"", type);
}

Result<ImageManifestV2> parse_image_manifest_v2(std::string_view body) {
  RKT_TRY_ASSIGN(json value, parse_json(body));
  if (!value.contains("layers") || !value["layers"].is_array()) {
    return Error::make(ErrorKind::invalid_argument, "the manifest has no layers");
  }
  ImageManifestV2 manifest;
  RKT_TRY_ASSIGN(manifest.config, parse_descriptor(value.value("config", json())));
  for (const json& layer : value["layers"]) {
    RKT_TRY_ASSIGN(Descriptor descriptor, parse_descriptor(layer));
    manifest.layers.push_back(std::move(descriptor));
  }
  return manifest;
}

Result<SchemaOneManifest> parse_schema1_manifest(std::string_view body) {
  RKT_TRY_ASSIGN(json value, parse_json(body));
  const json& fs_layers = value.value("fsLayers", json::array());
  const json& history = value.value("history", json::array());
  if (!fs_layers.is_array() || fs_layers.empty() || !history.is_array() || history.empty()) {
    return Error::make(ErrorKind::invalid_argument, "the schema 1 manifest has no layers");
  }
  SchemaOneManifest manifest;
  // Schema 1 lists layers top first.
  for (auto it = fs_layers.rbegin(); it != fs_layers.rend(); ++it) {
    json descriptor = {{"digest", it->value("blobSum", "")}};
    RKT_TRY_ASSIGN(Descriptor layer, parse_descriptor(descriptor));
    manifest.layers.push_back(std::move(layer));
  }
  manifest.v1_config = history[0].value("v1Compatibility", "{}");
  return manifest;
}

Result<std::string> select_platform(std::string_view body, std::string_view os,
                                    std::string_view arch) {
  RKT_TRY_ASSIGN(json value, parse_json(body));
  std::vector<std::string> offered;
  for (const json& entry : value.value("manifests", json::array())) {
    json platform = entry.value("platform", json::object());
    std::string entry_os = platform.value("os", "");
    std::string entry_arch = platform.value("architecture", "");
    offered.push_back(entry_os + "/" + entry_arch);
    if (entry_os == os && entry_arch == arch && entry.contains("digest")) {
      return entry["digest"].get<std::string>();
    }
  }
  std::string list;
  for (const std::string& item : offered) list += (list.empty() ? "" : ", ") + item;
  return Error::make(ErrorKind::not_found, "no image for {}/{} in the index (it has: {})", os, arch,
                     list.empty() ? "nothing" : list);
}

std::string host_oci_arch() {
  utsname name{};
  ::uname(&name);
  std::string machine = name.machine;
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  if (machine.rfind("armv", 0) == 0) return "arm";
  if (machine == "i686" || machine == "i386") return "386";
  return machine;
}

}  // namespace rkt::image::docker

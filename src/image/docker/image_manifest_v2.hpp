#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::image::docker {

inline constexpr const char* k_docker_manifest_v2 =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* k_docker_manifest_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* k_docker_manifest_v1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr const char* k_docker_manifest_v1_signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr const char* k_oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* k_oci_index = "application/vnd.oci.image.index.v1+json";

/// The media types we ask registries for, best first.
std::vector<std::string> accepted_manifest_types();

/// A content descriptor: what to download and how big it is.
struct Descriptor {
  std::string media_type;
  std::string digest;
  uint64_t size = 0;
};

/// An image manifest (Docker v2 schema 2 or OCI): the config blob and the layers, bottom first.
struct ImageManifestV2 {
  Descriptor config;
  std::vector<Descriptor> layers;
};

/// A schema 1 manifest: layers (bottom first) and the newest history entry's v1 config.
struct SchemaOneManifest {
  std::vector<Descriptor> layers;
  std::string v1_config;  // JSON with "config": {Entrypoint, Cmd, ...}
};

enum class ManifestKind { image, index, schema1 };

/// Tells manifests from indexes by media type, or by their "mediaType"/"schemaVersion" fields
/// when a registry sends a generic Content-Type. Not JSON: an error.
Result<ManifestKind> classify_manifest(std::string_view media_type, std::string_view body);

Result<ImageManifestV2> parse_image_manifest_v2(std::string_view body);
Result<SchemaOneManifest> parse_schema1_manifest(std::string_view body);

/// From an OCI index or Docker manifest list, the digest of the manifest for `os`/`arch`
/// (Docker/OCI spelling: amd64, arm64, arm + variant).
Result<std::string> select_platform(std::string_view body, std::string_view os,
                                    std::string_view arch);

/// This host's architecture as Docker/OCI spell it.
std::string host_oci_arch();

}  // namespace rkt::image::docker

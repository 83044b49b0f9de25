#pragma once

#include <filesystem>
#include <string>

#include "appc/types.hpp"
#include "util/result.hpp"

namespace rkt::image {

/// Reads and parses the manifest of an ACI file (any supported compression) without storing it,
/// e.g. to learn whose keys must have signed it before it is imported.
Result<appc::ImageManifest> read_aci_manifest(const std::filesystem::path& aci);

/// The image ID ("sha512-<128 hex>") of an ACI file: the digest of its uncompressed tar.
Result<std::string> compute_image_id(const std::filesystem::path& aci);

}  // namespace rkt::image

#pragma once

#include <string>
#include <string_view>

#include "appc/types.hpp"
#include "util/result.hpp"

namespace rkt::appc {

/// Parses and validates an image manifest; errors name the field and the bad value.
Result<ImageManifest> parse_image_manifest(std::string_view json_text);
/// Parses and validates a pod manifest.
Result<PodManifest> parse_pod_manifest(std::string_view json_text);

/// Serialises with the appc field names (omitting empty optional fields).
nlohmann::json to_json(const ImageManifest& manifest);
nlohmann::json to_json(const PodManifest& manifest);

/// Validation alone, for manifests built in code.
Result<void> validate(const ImageManifest& manifest);
Result<void> validate(const PodManifest& manifest);

/// The value of a label, if present.
const Label* find_label(const Labels& labels, std::string_view name);

}  // namespace rkt::appc

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
/// Parses and validates an `app` object on its own (as in an image or a pod manifest).
Result<App> parse_app_json(const nlohmann::json& value);
/// Parses (does not validate) a volume object, e.g. a mount's appVolume; `path` prefixes errors.
Result<Volume> parse_volume(const nlohmann::json& value, const std::string& path = "volume");

/// Serialises with the appc field names (omitting empty optional fields).
nlohmann::json to_json(const ImageManifest& manifest);
nlohmann::json to_json(const PodManifest& manifest);
nlohmann::json to_json(const App& app);
nlohmann::json to_json(const Volume& volume);

/// Validation alone, for manifests built in code.
Result<void> validate(const ImageManifest& manifest);
Result<void> validate(const PodManifest& manifest);
/// Validates an app; `path` prefixes errors ("app", "apps[1].app").
Result<void> validate_app(const App& app, std::string_view path);
/// Validates a volume; `path` prefixes errors ("volumes[0]").
Result<void> validate_volume(const Volume& volume, std::string_view path);

/// The value of a label, if present.
const Label* find_label(const Labels& labels, std::string_view name);

/// The volume with appc's defaults filled in: empty volumes get mode "0755", uid 0 and gid 0;
/// host volumes are recursive; readOnly is false unless set.
Volume volume_with_defaults(Volume volume);

}  // namespace rkt::appc

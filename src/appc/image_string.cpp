#include "appc/image_string.hpp"

#include <algorithm>

#include "appc/manifest.hpp"
#include "appc/names.hpp"
#include "util/strings.hpp"

namespace rkt::appc {
namespace {

Error malformed(std::string_view text, std::string_view why) {
  return Error::make(ErrorKind::invalid_argument, "malformed image string {}: {}", quote(text),
                     why);
}

Result<void> check_colon(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return {};
  if (text.find(':', colon + 1) != std::string_view::npos) {
    return malformed(text, "':' may appear at most once");
  }
  size_t comma = text.find(',');
  if (comma != std::string_view::npos && comma < colon) {
    return malformed(text, "':' may appear only right after the image name");
  }
  return {};
}

Result<void> add_label(ImageString& image, std::string_view text, std::string name,
                       std::string value) {
  if (name == "name") return malformed(text, "\"name\" cannot be used as a label");
  if (!is_ac_identifier(name)) {
    return malformed(text, fmt::format("label name {} is not a valid AC identifier", quote(name)));
  }
  bool duplicate = std::any_of(image.labels.begin(), image.labels.end(),
                               [&](const Label& label) { return label.name == name; });
  if (duplicate) return malformed(text, fmt::format("label {} given more than once", quote(name)));
  image.labels.push_back(Label{std::move(name), std::move(value)});
  return {};
}

}  // namespace

Result<ImageString> parse_image_string(std::string_view text) {
  RKT_TRY(check_colon(text));
  std::vector<std::string> parts = util::split(text, ',');
  ImageString image;
  std::string name = parts.front();
  if (size_t colon = name.find(':'); colon != std::string::npos) {
    std::string version = name.substr(colon + 1);
    name.resize(colon);
    if (version.empty()) return malformed(text, "empty version after ':'");
    image.labels.push_back(Label{"version", std::move(version)});
  }
  if (name.empty()) return malformed(text, "missing image name");
  if (!is_ac_identifier(name)) {
    return malformed(text, fmt::format("image name {} is not a valid AC identifier", quote(name)));
  }
  image.name = std::move(name);
  for (size_t i = 1; i < parts.size(); ++i) {
    size_t equals = parts[i].find('=');
    if (equals == std::string::npos || equals == 0) {
      return malformed(text, fmt::format("{} is not of the form label=value", quote(parts[i])));
    }
    RKT_TRY(add_label(image, text, parts[i].substr(0, equals), parts[i].substr(equals + 1)));
  }
  return image;
}

std::string format_image_string(std::string_view name, const Labels& labels) {
  const Label* version = find_label(labels, "version");
  if (version == nullptr || version->value.empty()) return std::string(name);
  return fmt::format("{}:{}", name, version->value);
}

}  // namespace rkt::appc

#include "image/image_ref.hpp"

#include "appc/image_string.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::image {

namespace {

ImageRef path_ref(std::string_view text, std::string_view path) {
  ImageRef ref{RefKind::path, std::string(text)};
  ref.path = std::string(path);
  return ref;
}

}  // namespace

Result<ImageRef> parse_image_ref(std::string_view text) {
  using util::starts_with;
  if (text.empty()) return Error::make(ErrorKind::invalid_argument, "empty image name");
  if (starts_with(text, "file://")) return path_ref(text, text.substr(7));
  if (starts_with(text, "https://") || starts_with(text, "http://")) {
    return ImageRef{RefKind::url, std::string(text)};
  }
  if (starts_with(text, "docker://") || starts_with(text, "docker:")) {
    return ImageRef{RefKind::docker, std::string(text)};
  }
  if (starts_with(text, "sha512-")) return ImageRef{RefKind::hash, std::string(text)};
  if (text.front() == '/' || util::is_regular(std::string(text))) return path_ref(text, text);
  if (text.find(':') == std::string_view::npos &&
      (text.find("./") != std::string_view::npos || util::ends_with(text, ".aci"))) {
    return path_ref(text, text);
  }
  RKT_TRY_ASSIGN(auto parsed, appc::parse_image_string(text));
  ImageRef ref{RefKind::name, std::string(text)};
  ref.name = std::move(parsed.name);
  ref.labels = std::move(parsed.labels);
  return ref;
}

}  // namespace rkt::image

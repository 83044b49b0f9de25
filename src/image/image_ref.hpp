#pragma once

#include <string>
#include <string_view>

#include "appc/types.hpp"
#include "util/result.hpp"

namespace rkt::image {

/// How the user named an image on the command line.
enum class RefKind {
  path,    // a local .aci file (or file:// URL)
  url,     // http:// or https://
  docker,  // docker://... or docker:...
  hash,    // sha512-<hex prefix>
  name,    // name[:version][,label=value...]
};

struct ImageRef {
  RefKind kind = RefKind::name;
  std::string text;  // as given
  std::string path;  // kind path: the file path (file:// stripped)
  std::string name;  // kind name: the AC name
  appc::Labels labels;
};

/// Classifies an image argument as rkt does: abs path or an existing file is a path; a scheme
/// decides URLs; sha512- is a hash; "./" or a ".aci" suffix mean a path; anything else a name.
Result<ImageRef> parse_image_ref(std::string_view text);

}  // namespace rkt::image

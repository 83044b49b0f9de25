#pragma once

#include <string>
#include <string_view>

#include "appc/types.hpp"
#include "util/result.hpp"

namespace rkt::appc {

/// An image as named on the command line: an AC identifier plus labels to match.
struct ImageString {
  std::string name;
  Labels labels;  // in the order written; `version` first when given with ':'
  bool operator==(const ImageString&) const = default;
};

/// Parses "name[:version][,label=value...]": ':' may appear at most once and only right after
/// the name (it becomes the `version` label); label names are AC identifiers, each given once.
Result<ImageString> parse_image_string(std::string_view text);

/// "name:version" when a version label is present, else "name": how images are shown to users.
std::string format_image_string(std::string_view name, const Labels& labels);

}  // namespace rkt::appc

#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rkt::image {

/// One `<meta name="..." content="...">` tag of an HTML page.
struct MetaTag {
  std::string name;
  std::string content;
};

/// The meta tags of an HTML page, in order. Tolerant like a browser: any case, single, double or
/// no quotes, attributes in any order; tags without both attributes are skipped.
std::vector<MetaTag> parse_meta_tags(std::string_view html);

}  // namespace rkt::image

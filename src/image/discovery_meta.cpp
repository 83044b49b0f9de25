#include "image/discovery_meta.hpp"

#include <cctype>
#include <optional>

#include "util/strings.hpp"

namespace rkt::image {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

/// Reads `name=value` attributes of one tag body (the text between "<meta" and ">").
std::vector<std::pair<std::string, std::string>> parse_attributes(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> attributes;
  size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && (is_space(body[i]) || body[i] == '/')) ++i;
    size_t start = i;
    while (i < body.size() && !is_space(body[i]) && body[i] != '=') ++i;
    std::string name = util::to_lower(body.substr(start, i - start));
    while (i < body.size() && is_space(body[i])) ++i;
    std::string value;
    if (i < body.size() && body[i] == '=') {
      ++i;
      while (i < body.size() && is_space(body[i])) ++i;
      if (i < body.size() && (body[i] == '"' || body[i] == '\'')) {
        char quote = body[i++];
        size_t end = body.find(quote, i);
        if (end == std::string_view::npos) end = body.size();
        value = std::string(body.substr(i, end - i));
        i = end + 1;
      } else {
        start = i;
        while (i < body.size() && !is_space(body[i])) ++i;
        value = std::string(body.substr(start, i - start));
      }
    }
    if (!name.empty()) attributes.emplace_back(std::move(name), std::move(value));
  }
  return attributes;
}

}  // namespace

std::vector<MetaTag> parse_meta_tags(std::string_view html) {
  std::string lower = util::to_lower(html);
  std::vector<MetaTag> tags;
  size_t pos = 0;
  while ((pos = lower.find("<meta", pos)) != std::string::npos) {
    size_t body_start = pos + 5;
    size_t end = lower.find('>', body_start);
    if (end == std::string::npos) break;
    pos = end;
    if (body_start < lower.size() && !is_space(lower[body_start])) continue;  // <metadata>
    std::optional<std::string> name;
    std::optional<std::string> content;
    for (auto& [key, value] : parse_attributes(html.substr(body_start, end - body_start))) {
      if (key == "name") name = std::move(value);
      if (key == "content") content = std::move(value);
    }
    if (name && content) tags.push_back(MetaTag{*name, *content});
  }
  return tags;
}

}  // namespace rkt::image

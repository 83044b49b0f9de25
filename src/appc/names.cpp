#include "appc/names.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace rkt::appc {
namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_identifier_separator(char c) {
  return c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
}

// appc's reference implementation (schema/types/acidentifier.go, acname.go) checks the character
// set and the edges only, so "example.com/~bob/app" (in the spec's own examples) is accepted even
// though the documented regex would refuse the "/~". Images in the wild rely on that.
template <typename IsSeparator>
bool is_alnum_with_separators(std::string_view text, IsSeparator is_separator) {
  if (text.empty() || !is_lower_alnum(text.front()) || !is_lower_alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(),
                     [&](char c) { return is_lower_alnum(c) || is_separator(c); });
}

char to_lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool is_ac_identifier(std::string_view text) {
  return is_alnum_with_separators(text, is_identifier_separator);
}

bool is_ac_name(std::string_view text) {
  return is_alnum_with_separators(text, [](char c) { return c == '-'; });
}

Result<std::string> sanitize_ac_name(std::string_view image_name) {
  std::string_view last = image_name;
  if (auto slash = last.rfind('/'); slash != std::string_view::npos) last = last.substr(slash + 1);
  std::string out;
  for (char raw : last) {
    char c = to_lower_ascii(raw);
    if (is_lower_alnum(c)) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.empty()) {
    return Error::make(ErrorKind::invalid_argument, "cannot derive an app name from image name {}",
                       quote(image_name));
  }
  return out;
}

Result<std::string> sanitize_ac_identifier(std::string_view text) {
  std::string out;
  for (char raw : text) {
    char c = to_lower_ascii(raw);
    if (!is_lower_alnum(c) && !is_identifier_separator(c)) c = '-';
    if (is_identifier_separator(c) && (out.empty() || is_identifier_separator(out.back()))) {
      continue;  // no leading separator, no separator runs
    }
    out += c;
  }
  while (!out.empty() && is_identifier_separator(out.back())) out.pop_back();
  if (out.empty()) {
    return Error::make(ErrorKind::invalid_argument, "cannot make an AC identifier from {}",
                       quote(text));
  }
  return out;
}

std::string quote(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<void> validate_ac_identifier(std::string_view field, std::string_view value) {
  if (is_ac_identifier(value)) return {};
  return Error::make(ErrorKind::invalid_argument, "{}: {} is not a valid AC identifier", field,
                     quote(value));
}

Result<void> validate_ac_name(std::string_view field, std::string_view value) {
  if (is_ac_name(value)) return {};
  return Error::make(ErrorKind::invalid_argument, "{}: {} is not a valid AC name", field,
                     quote(value));
}

}  // namespace rkt::appc

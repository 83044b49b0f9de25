#include "appc/value_formats.hpp"

#include <algorithm>

namespace rkt::appc {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A numeric SemVer identifier: digits, no leading zero unless it is "0".
bool is_semver_number(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_digit) &&
         (text.size() == 1 || text[0] != '0');
}

// Dot-separated [0-9A-Za-z-]+ identifiers; numeric ones in a prerelease can't have leading zeros.
bool is_semver_identifiers(std::string_view text, bool numeric_no_leading_zero) {
  size_t start = 0;
  while (true) {
    size_t dot = text.find('.', start);
    std::string_view part = text.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty()) return false;
    bool numeric = std::all_of(part.begin(), part.end(), is_digit);
    if (!std::all_of(part.begin(), part.end(),
                     [](char c) { return is_digit(c) || is_alpha(c) || c == '-'; })) {
      return false;
    }
    if (numeric && numeric_no_leading_zero && !is_semver_number(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Consumes exactly `count` digits into `value`.
bool take_digits(std::string_view& text, size_t count, int& value) {
  if (text.size() < count) return false;
  value = 0;
  for (size_t i = 0; i < count; ++i) {
    if (!is_digit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  text.remove_prefix(count);
  return true;
}

bool take_char(std::string_view& text, char c) {
  if (text.empty() || text[0] != c) return false;
  text.remove_prefix(1);
  return true;
}

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : k_days[month - 1];
}

bool take_date(std::string_view& text) {
  int year = 0, month = 0, day = 0;
  if (!take_digits(text, 4, year) || !take_char(text, '-') || !take_digits(text, 2, month) ||
      !take_char(text, '-') || !take_digits(text, 2, day)) {
    return false;
  }
  return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

bool take_time(std::string_view& text) {
  int hour = 0, minute = 0, second = 0;
  if (!take_digits(text, 2, hour) || !take_char(text, ':') || !take_digits(text, 2, minute) ||
      !take_char(text, ':') || !take_digits(text, 2, second)) {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 60) return false;  // 60: leap second
  if (take_char(text, '.')) {
    size_t digits = 0;
    while (digits < text.size() && is_digit(text[digits])) ++digits;
    if (digits == 0) return false;
    text.remove_prefix(digits);
  }
  return true;
}

bool take_offset(std::string_view& text) {
  if (take_char(text, 'Z')) return true;
  if (!take_char(text, '+') && !take_char(text, '-')) return false;
  int hours = 0, minutes = 0;
  return take_digits(text, 2, hours) && take_char(text, ':') && take_digits(text, 2, minutes) &&
         hours <= 23 && minutes <= 59;
}

}  // namespace

bool is_semver(std::string_view text) {
  size_t plus = text.find('+');
  if (plus != std::string_view::npos) {
    if (!is_semver_identifiers(text.substr(plus + 1), false)) return false;
    text = text.substr(0, plus);
  }
  size_t dash = text.find('-');
  if (dash != std::string_view::npos) {
    if (!is_semver_identifiers(text.substr(dash + 1), true)) return false;
    text = text.substr(0, dash);
  }
  size_t first = text.find('.');
  size_t second = first == std::string_view::npos ? first : text.find('.', first + 1);
  if (second == std::string_view::npos) return false;
  return is_semver_number(text.substr(0, first)) &&
         is_semver_number(text.substr(first + 1, second - first - 1)) &&
         is_semver_number(text.substr(second + 1));
}

bool is_rfc3339(std::string_view text) {
  return take_date(text) && take_char(text, 'T') && take_time(text) && take_offset(text) &&
         text.empty();
}

bool is_image_id(std::string_view text) {
  // Like appc's types.Hash: "sha512-" and a non-empty value without '-'. The value is not checked
  // to be hex so that manifests actool accepts (the spec's own "sha512-...") are accepted too.
  constexpr std::string_view k_prefix = "sha512-";
  if (text.size() <= k_prefix.size() || text.substr(0, k_prefix.size()) != k_prefix) return false;
  return text.find('-', k_prefix.size()) == std::string_view::npos;
}

bool is_env_name(std::string_view text) {
  return !text.empty() && !is_digit(text[0]) && std::all_of(text.begin(), text.end(), [](char c) {
    return is_digit(c) || is_alpha(c) || c == '_' || c == '.' || c == '-';
  });
}

bool is_absolute_path(std::string_view text) {
  return !text.empty() && text[0] == '/' && text.find('\0') == std::string_view::npos;
}

bool is_http_url(std::string_view text) {
  std::string_view rest;
  if (text.substr(0, 7) == "http://") {
    rest = text.substr(7);
  } else if (text.substr(0, 8) == "https://") {
    rest = text.substr(8);
  } else {
    return false;
  }
  return !rest.empty() && rest[0] != '/';
}

}  // namespace rkt::appc

#include "appc/quantity.hpp"

#include <fmt/format.h>

#include <array>
#include <limits>
#include <utility>

#include "appc/names.hpp"

namespace rkt::appc {
namespace {

using u128 = unsigned __int128;
constexpr int k_max_mantissa_digits = 36;  // 10^36 < 2^128 with room for the shifts below
constexpr int k_max_abs_exp10 = 60;

struct Suffix {
  std::string_view text;
  int exp10;
  int exp2;
};

constexpr std::array<Suffix, 17> k_suffixes = {{
    {"Ki", 0, 10},
    {"Mi", 0, 20},
    {"Gi", 0, 30},
    {"Ti", 0, 40},
    {"Pi", 0, 50},
    {"Ei", 0, 60},
    {"n", -9, 0},
    {"u", -6, 0},
    {"m", -3, 0},
    {"k", 3, 0},
    {"K", 3, 0},
    {"M", 6, 0},
    {"G", 9, 0},
    {"T", 12, 0},
    {"P", 15, 0},
    {"E", 18, 0},
    {"", 0, 0},
}};

Error bad_quantity(std::string_view text, std::string_view why) {
  return Error::make(ErrorKind::invalid_argument, "{} is not a valid quantity: {}", quote(text),
                     why);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Parses an optionally signed integer exponent ("3", "-2"); false on anything else.
bool parse_exponent(std::string_view text, int& out) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || text.size() > 3) return false;
  int value = 0;
  for (char c : text) {
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  out = negative ? -value : value;
  return true;
}

const Suffix* find_suffix(std::string_view text) {
  for (const Suffix& suffix : k_suffixes) {
    if (suffix.text == text) return &suffix;
  }
  return nullptr;
}

}  // namespace

Result<Quantity> Quantity::parse(std::string_view text) {
  Quantity q;
  q.m_text = std::string(text);
  std::string_view rest = text;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    q.m_negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  int digits = 0;
  bool seen_point = false;
  while (!rest.empty() && (is_digit(rest[0]) || (rest[0] == '.' && !seen_point))) {
    if (rest[0] == '.') {
      seen_point = true;
    } else {
      if (digits == 0 && rest[0] == '0') {
        // leading zeros add no precision
      } else if (++digits > k_max_mantissa_digits) {
        return bad_quantity(text, "too many digits");
      }
      q.m_mantissa = q.m_mantissa * 10 + static_cast<u128>(rest[0] - '0');
      if (seen_point) --q.m_exp10;
    }
    rest.remove_prefix(1);
  }
  size_t number_length = text.size() - rest.size();
  bool has_digit = text.substr(0, number_length).find_first_of("0123456789") != std::string::npos;
  if (!has_digit) return bad_quantity(text, "expected a number");
  if (!rest.empty() && (rest[0] == 'e' || rest[0] == 'E') && rest.size() > 1) {
    int exponent = 0;
    if (parse_exponent(rest.substr(1), exponent)) {
      q.m_exp10 += exponent;
      return q;
    }
  }
  const Suffix* suffix = find_suffix(rest);
  if (suffix == nullptr) return bad_quantity(text, fmt::format("unknown suffix {}", quote(rest)));
  q.m_exp10 += suffix->exp10;
  q.m_exp2 = suffix->exp2;
  return q;
}

Result<int64_t> Quantity::scaled(int extra_exp10) const {
  constexpr u128 k_limit = static_cast<u128>(std::numeric_limits<int64_t>::max()) + 1;
  auto overflow = [&] {
    return Error::make(ErrorKind::invalid_argument, "quantity {} is too large", quote(m_text));
  };
  int exp10 = m_exp10 + extra_exp10;
  u128 number = m_mantissa;
  if (number == 0) return int64_t{0};
  if (exp10 > k_max_abs_exp10) return overflow();
  if ((number >> (127 - m_exp2)) != 0) return overflow();
  number <<= m_exp2;
  for (; exp10 > 0; --exp10) {
    if (number > k_limit) return overflow();
    number *= 10;
  }
  bool inexact = false;
  for (; exp10 < 0 && number != 0; ++exp10) {
    inexact = inexact || number % 10 != 0;
    number /= 10;
  }
  // Round toward +infinity as Kubernetes does: up for positive values, truncate negatives.
  if (inexact && !m_negative) ++number;
  if (number > k_limit || (number == k_limit && !m_negative)) return overflow();
  auto magnitude = static_cast<int64_t>(number == k_limit ? number - 1 : number);
  if (m_negative) return number == k_limit ? std::numeric_limits<int64_t>::min() : -magnitude;
  return magnitude;
}

Result<int64_t> Quantity::value() const {
  return scaled(0);
}

Result<int64_t> Quantity::milli_value() const {
  return scaled(3);
}

std::string format_milli(int64_t milli) {
  if (milli % 1000 == 0) return fmt::format("{}", milli / 1000);
  return fmt::format("{}m", milli);
}

std::string format_bytes(int64_t bytes) {
  std::string best = fmt::format("{}", bytes);
  if (bytes == 0) return best;
  static constexpr std::array<std::pair<int, std::string_view>, 6> k_binary = {
      {{60, "Ei"}, {50, "Pi"}, {40, "Ti"}, {30, "Gi"}, {20, "Mi"}, {10, "Ki"}}};
  for (const auto& [shift, suffix] : k_binary) {
    int64_t unit = int64_t{1} << shift;
    if (bytes % unit == 0) {
      std::string candidate = fmt::format("{}{}", bytes / unit, suffix);
      if (candidate.size() < best.size()) best = candidate;
      break;
    }
  }
  static constexpr std::array<std::pair<int64_t, std::string_view>, 6> k_decimal = {
      {{1'000'000'000'000'000'000, "E"},
       {1'000'000'000'000'000, "P"},
       {1'000'000'000'000, "T"},
       {1'000'000'000, "G"},
       {1'000'000, "M"},
       {1'000, "k"}}};
  for (const auto& [unit, suffix] : k_decimal) {
    if (bytes % unit == 0) {
      std::string candidate = fmt::format("{}{}", bytes / unit, suffix);
      if (candidate.size() < best.size()) best = candidate;
      break;
    }
  }
  return best;
}

}  // namespace rkt::appc

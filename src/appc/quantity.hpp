#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace rkt::appc {

/// A Kubernetes-style resource quantity ("500m", "1.5", "128M", "1Gi", "2k", "1e3"), kept exact
/// as mantissa × 10^exp10 × 2^exp2 so that both unit and milli-unit views round only once.
class Quantity {
 public:
  /// Parses `<sign?><digits[.digits]><suffix>`, suffix one of n u m (none) k K M G T P E,
  /// Ki Mi Gi Ti Pi Ei, or e<int>/E<int>.
  static Result<Quantity> parse(std::string_view text);

  /// The text as written, kept for round trips.
  const std::string& text() const { return m_text; }
  bool is_negative() const { return m_negative && m_mantissa != 0; }
  /// Base units (bytes, cores), rounded up; fails when it does not fit an int64.
  Result<int64_t> value() const;
  /// Thousandths of the base unit (millicores), rounded up; fails when it does not fit.
  Result<int64_t> milli_value() const;

  bool operator==(const Quantity& other) const { return m_text == other.m_text; }

 private:
  Result<int64_t> scaled(int extra_exp10) const;

  std::string m_text;
  bool m_negative = false;
  unsigned __int128 m_mantissa = 0;
  int m_exp10 = 0;
  int m_exp2 = 0;
};

/// "500m", or "2" when `milli` is a whole number of units.
std::string format_milli(int64_t milli);
/// The shortest exact form among plain, decimal-suffixed ("128M") and binary-suffixed ("1Gi").
std::string format_bytes(int64_t bytes);

}  // namespace rkt::appc

#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace rkt::util {

using Clock = std::chrono::system_clock;
using Duration = std::chrono::nanoseconds;

/// Parses a Go-style duration ("30m0s", "1h", "1.5s", "0"), as rkt's flags take them.
Result<Duration> parse_duration(std::string_view text);
/// Formats as Go's time.Duration prints: "30m0s", "24h0m0s", "0s", "1.5s", "500ms".
std::string format_duration(Duration duration);
/// "2016-05-18 10:07:35.312 +0200 CEST" (local time, milliseconds) as rkt list --full prints.
std::string format_time_full(Clock::time_point time);
/// RFC 3339 with nanoseconds in UTC, for JSON output.
std::string format_rfc3339(Clock::time_point time);
/// "3 minutes ago", "2 days ago", as rkt image list prints relative times.
std::string format_relative(Clock::time_point time, Clock::time_point now = Clock::now());

}  // namespace rkt::util

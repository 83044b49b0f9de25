#include "util/time.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ctime>
#include <utility>

namespace rkt::util {

namespace {

struct Unit {
  std::string_view name;
  double nanoseconds;
};
constexpr Unit k_units[] = {{"ns", 1},    {"us", 1e3},  {"µs", 1e3},         {"ms", 1e6},
                            {"s", 1e9},   {"m", 60e9},  {"h", 3600e9}};

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '-' || rest[0] == '+')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest == "0") return Duration(0);
  if (rest.empty()) return Error::make(ErrorKind::invalid_argument, "invalid duration \"{}\"", text);
  double total = 0;
  while (!rest.empty()) {
    size_t digits = 0;
    while (digits < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[digits])) ||
                                    rest[digits] == '.')) {
      ++digits;
    }
    if (digits == 0) return Error::make(ErrorKind::invalid_argument, "invalid duration \"{}\"", text);
    double number = std::strtod(std::string(rest.substr(0, digits)).c_str(), nullptr);
    rest.remove_prefix(digits);
    const Unit* match = nullptr;
    for (const Unit& unit : k_units) {
      // Longest unit name first matters only for "ms" vs "m": check two-letter names first.
      if (rest.substr(0, unit.name.size()) == unit.name &&
          (!match || unit.name.size() > match->name.size())) {
        match = &unit;
      }
    }
    if (!match) {
      return Error::make(ErrorKind::invalid_argument, "missing unit in duration \"{}\"", text);
    }
    total += number * match->nanoseconds;
    rest.remove_prefix(match->name.size());
  }
  auto nanos = static_cast<long long>(std::llround(total));
  return Duration(negative ? -nanos : nanos);
}

std::string format_duration(Duration duration) {
  long long ns = duration.count();
  std::string sign = ns < 0 ? "-" : "";
  unsigned long long u = ns < 0 ? static_cast<unsigned long long>(-ns) : static_cast<unsigned long long>(ns);
  if (u == 0) return "0s";
  auto trim_fraction = [](unsigned long long whole, unsigned long long frac, int width) {
    std::string f = fmt::format("{:0{}}", frac, width);
    while (!f.empty() && f.back() == '0') f.pop_back();
    return f.empty() ? fmt::format("{}", whole) : fmt::format("{}.{}", whole, f);
  };
  if (u < 1000) return sign + fmt::format("{}ns", u);
  if (u < 1000000) return sign + trim_fraction(u / 1000, u % 1000, 3) + "µs";
  if (u < 1000000000) return sign + trim_fraction(u / 1000000, u % 1000000, 6) + "ms";
  unsigned long long seconds = u / 1000000000;
  std::string secs = trim_fraction(seconds % 60, u % 1000000000, 9) + "s";
  unsigned long long minutes = seconds / 60;
  if (minutes == 0) return sign + secs;
  unsigned long long hours = minutes / 60;
  if (hours == 0) return sign + fmt::format("{}m", minutes) + secs;
  return sign + fmt::format("{}h{}m", hours, minutes % 60) + secs;
}

std::string format_time_full(Clock::time_point time) {
  auto since = time.time_since_epoch();
  std::time_t secs = std::chrono::duration_cast<std::chrono::seconds>(since).count();
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since).count() % 1000;
  std::tm local{};
  localtime_r(&secs, &local);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &local);
  char zone[32];
  std::strftime(zone, sizeof zone, "%z %Z", &local);
  return fmt::format("{}.{:03} {}", date, millis, zone);
}

std::string format_rfc3339(Clock::time_point time) {
  auto since = time.time_since_epoch();
  std::time_t secs = std::chrono::duration_cast<std::chrono::seconds>(since).count();
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(since).count() % 1000000000;
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:09}Z", date, nanos);
}

std::string format_relative(Clock::time_point time, Clock::time_point now) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - time).count();
  if (seconds < 0) seconds = 0;
  auto plural = [](long long n, const char* unit) {
    return fmt::format("{} {}{} ago", n, unit, n == 1 ? "" : "s");
  };
  if (seconds < 1) return "now";
  if (seconds < 60) return plural(seconds, "second");
  if (seconds < 3600) return plural(seconds / 60, "minute");
  if (seconds < 86400) return plural(seconds / 3600, "hour");
  if (seconds < 86400 * 30) return plural(seconds / 86400, "day");
  if (seconds < 86400 * 365) return plural(seconds / (86400 * 30), "month");
  return plural(seconds / (86400 * 365), "year");
}

}  // namespace rkt::util

#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace rkt::log {

void set_debug(bool enabled);
bool debug_enabled();
/// Writes one line to stderr, prefixed with "rkt: " as rkt does.
void write_line(std::string_view line);

template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  write_line(fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
  write_line("warning: " + fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  if (debug_enabled()) write_line(fmt::format(format, std::forward<Args>(args)...));
}

/// Reports an error that is deliberately not propagated (the crun_error_release pattern).
template <typename T>
void warn_and_drop(const Result<T>& result) {
  if (!result) warn("{}", result.error().message);
}

}  // namespace rkt::log

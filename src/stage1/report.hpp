#pragma once

#include <fmt/format.h>

#include <string_view>

namespace rkt::stage1 {

/// Writes "stage1: <line>\n" to stderr in one write(2).
void report_line(std::string_view line);
/// Turns the debug() lines (--debug) on or off.
void set_debug(bool enabled);
/// Whether --debug was given.
bool debug_enabled();

/// An error or notice from stage1 itself, on stderr.
template <typename... Args>
void report(fmt::format_string<Args...> format, Args&&... args) {
  report_line(fmt::format(format, std::forward<Args>(args)...));
}
/// Shown with --debug only.
template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  if (debug_enabled()) report_line(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace rkt::stage1

#include "util/log.hpp"

#include <unistd.h>

#include <atomic>
#include <string>

namespace rkt::log {

namespace {
std::atomic<bool> g_debug{false};
}

void set_debug(bool enabled) { g_debug = enabled; }
bool debug_enabled() { return g_debug; }

void write_line(std::string_view line) {
  // One write(2) per line so concurrent writers (pod apps, helpers) don't interleave mid-line.
  std::string out = "rkt: ";
  out += line;
  out += '\n';
  ssize_t ignored = ::write(STDERR_FILENO, out.data(), out.size());
  (void)ignored;
}

}  // namespace rkt::log

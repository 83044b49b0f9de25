#include "stage1/report.hpp"

#include <unistd.h>

#include <string>

namespace rkt::stage1 {

namespace {
bool g_debug = false;  // stage1 processes are single-threaded
}

void set_debug(bool enabled) {
  g_debug = enabled;
}
bool debug_enabled() {
  return g_debug;
}

void report_line(std::string_view line) {
  std::string out = "stage1: ";
  out += line;
  out += '\n';
  ssize_t ignored = ::write(STDERR_FILENO, out.data(), out.size());
  (void)ignored;
}

}  // namespace rkt::stage1

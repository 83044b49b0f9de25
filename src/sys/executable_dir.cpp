#include "sys/executable_dir.hpp"

namespace rkt::sys {

Result<std::filesystem::path> executable_dir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return Error::from_errno(ec.value(), "reading /proc/self/exe");
  return exe.parent_path();
}

}  // namespace rkt::sys

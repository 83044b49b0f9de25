#include "cli/sibling_binary.hpp"

#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace rkt::cli {

Result<int> exec_sibling_binary(std::string_view name, std::vector<std::string> args) {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return Error::from_errno(ec.value(), "reading /proc/self/exe");
  std::filesystem::path binary = exe.parent_path() / name;
  args.insert(args.begin(), binary.string());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  ::execv(binary.c_str(), argv.data());
  return Error::from_errno(errno, "exec `{}`", binary.string());
}

}  // namespace rkt::cli

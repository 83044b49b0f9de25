#include "cli/sibling_binary.hpp"

#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "sys/executable_dir.hpp"

namespace rkt::cli {

Result<int> exec_sibling_binary(std::string_view name, std::vector<std::string> args) {
  RKT_TRY_ASSIGN(std::filesystem::path dir, sys::executable_dir());
  std::filesystem::path binary = dir / name;
  args.insert(args.begin(), binary.string());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  ::execv(binary.c_str(), argv.data());
  return Error::from_errno(errno, "exec `{}`", binary.string());
}

}  // namespace rkt::cli

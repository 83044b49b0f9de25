#include "stage1/environment.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "sys/path_in_root.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::stage1 {

Result<std::vector<std::string>> parse_env_file(std::string_view text) {
  std::vector<std::string> env;
  size_t line_number = 0;
  for (auto& line : util::split(text, '\n')) {
    ++line_number;
    if (line.empty()) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error::make(ErrorKind::invalid_argument, "line {}: expected NAME=VALUE, got \"{}\"",
                         line_number, line);
    }
    env.push_back(std::move(line));
  }
  return env;
}

Result<std::vector<std::string>> read_env_file(const fs::path& path) {
  RKT_TRY_ASSIGN(auto text, util::read_file(path));
  auto env = parse_env_file(text);
  if (!env) return std::move(env).error().wrap("env file `{}`", path.string());
  return env;
}

std::string env_value(const std::vector<std::string>& env, std::string_view name) {
  for (const auto& entry : env) {
    if (entry.size() > name.size() && entry[name.size()] == '=' && entry.starts_with(name)) {
      return entry.substr(name.size() + 1);
    }
  }
  return {};
}

namespace {

Result<bool> is_executable_in(const fs::path& rootfs, const std::string& path) {
  RKT_TRY_ASSIGN(auto host_path, sys::resolve_in_root(rootfs, path));
  struct stat st {};
  if (::stat(host_path.c_str(), &st) != 0) return false;
  return S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0;
}

}  // namespace

Result<std::string> find_executable(const fs::path& rootfs, const std::string& name,
                                    const std::string& path_env,
                                    const std::string& working_directory) {
  if (name.empty() || name.front() == '/') return name;
  if (name.find('/') != std::string::npos) {
    std::string base = working_directory.empty() ? "/" : working_directory;
    return (fs::path(base) / name).lexically_normal().string();
  }
  for (const auto& dir : util::split(path_env.empty() ? k_default_path : path_env, ':')) {
    if (dir.empty() || dir.front() != '/') continue;  // relative PATH entries make no sense here
    std::string candidate = (fs::path(dir) / name).string();
    RKT_TRY_ASSIGN(bool found, is_executable_in(rootfs, candidate));
    if (found) return candidate;
  }
  return name;
}

}  // namespace rkt::stage1

#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::stage1 {

namespace fs = std::filesystem;

/// appc's PATH when an app's environment has none.
inline constexpr const char* k_default_path =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Parses an env file (/rkt/env/<app>): one NAME=VALUE per line, blank lines skipped; a line
/// without '=' or with an empty name is an error naming the line number.
Result<std::vector<std::string>> parse_env_file(std::string_view text);
/// Reads and parses an env file; errors name the file.
Result<std::vector<std::string>> read_env_file(const fs::path& path);
/// The value of NAME in a NAME=VALUE list ("" when absent).
std::string env_value(const std::vector<std::string>& env, std::string_view name);

/// Where exec[0] is inside the app: absolute as is; with a '/' relative to the working
/// directory; otherwise searched in `path_env` (appc's default if empty), checking executables
/// under `rootfs` as the app would see them. Unfound names are returned as they are (the exec then
/// fails with a clear ENOENT).
Result<std::string> find_executable(const fs::path& rootfs, const std::string& name,
                                    const std::string& path_env,
                                    const std::string& working_directory);

}  // namespace rkt::stage1

#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "appc/types.hpp"
#include "pod/pod_request.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// NAME=VALUE pairs as the command line gives them (--set-env, --environment, env files).
using EnvPairs = std::vector<std::pair<std::string, std::string>>;

/// appc's PATH when the app's environment has none.
inline constexpr std::string_view k_default_path =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Whether merging a variable replaces one the environment already has.
enum class EnvOverride { no, yes };

/// Parses a --set-env-file: one NAME=VALUE per line; blank lines and lines starting with '#' or
/// ';' are skipped. A line without '=' or with an invalid name is an error naming the line.
Result<EnvPairs> parse_env_file(std::string_view text);

/// Reads and parses a --set-env-file; errors name the file.
Result<EnvPairs> read_env_file(const std::filesystem::path& path);

/// Parses "NAME=VALUE" (--set-env, --environment); the value may be empty or contain '='.
Result<std::pair<std::string, std::string>> parse_env_assignment(std::string_view text);

/// Sets a variable: replaced in place when present, appended otherwise (appc's Environment.Set).
void set_env(std::vector<appc::EnvironmentVariable>& env, std::string_view name,
             std::string_view value);

/// Merges `vars` into `env`, replacing existing variables only with EnvOverride::yes.
void merge_env(std::vector<appc::EnvironmentVariable>& env, const EnvPairs& vars,
               EnvOverride override);

/// The environment that goes into the app's pod-manifest entry, rkt's precedence low to high:
/// the parent's environment (`parent_environ`, only with --inherit-env, never overriding the
/// image) < the image's `app.environment` (`image_env`) < --set-env-file < --set-env <
/// --environment. Inherited variables with names appc rejects or multi-line values are skipped.
std::vector<appc::EnvironmentVariable> app_environment(
    const std::vector<appc::EnvironmentVariable>& image_env, const AppRequest& app,
    const PodRequest& pod, const EnvPairs& parent_environ);

/// The process environment as pairs (what --inherit-env passes on).
EnvPairs current_environ();

/// The final environment of an app as its env file holds it: `env` plus appc's required
/// AC_APP_NAME, AC_METADATA_URL (empty without the metadata service) and container=rkt, and
/// PATH, SHELL=/bin/sh, USER=root, LOGNAME=root, HOME=/root where `env` has none.
std::vector<appc::EnvironmentVariable> final_environment(std::vector<appc::EnvironmentVariable> env,
                                                         std::string_view app_name,
                                                         std::string_view metadata_url = {});

/// The env file text (stage1/rootfs/rkt/env/<app>): NAME=VALUE lines. A value with a newline
/// can't be represented: error.
Result<std::string> format_env_file(const std::vector<appc::EnvironmentVariable>& env);

}  // namespace rkt::pod

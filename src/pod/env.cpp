#include "pod/env.hpp"

#include <algorithm>

#include "appc/value_formats.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

extern char** environ;

namespace rkt::pod {

namespace {

bool is_comment_or_blank(std::string_view line) {
  std::string_view trimmed = util::trim(line);
  return trimmed.empty() || trimmed.front() == '#' || trimmed.front() == ';';
}

appc::EnvironmentVariable* find_env(std::vector<appc::EnvironmentVariable>& env,
                                    std::string_view name) {
  auto it = std::find_if(env.begin(), env.end(), [&](const auto& var) { return var.name == name; });
  return it == env.end() ? nullptr : &*it;
}

}  // namespace

Result<std::pair<std::string, std::string>> parse_env_assignment(std::string_view text) {
  size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    return Error::make(ErrorKind::invalid_argument,
                       "environment variable \"{}\": expected NAME=VALUE", text);
  }
  std::string name(text.substr(0, equals));
  if (!appc::is_env_name(name)) {
    return Error::make(ErrorKind::invalid_argument,
                       "\"{}\" is not a valid environment variable name", name);
  }
  return std::pair{std::move(name), std::string(text.substr(equals + 1))};
}

Result<EnvPairs> parse_env_file(std::string_view text) {
  EnvPairs vars;
  size_t line_number = 0;
  for (const std::string& line : util::split(text, '\n')) {
    ++line_number;
    std::string_view content = line;
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    if (is_comment_or_blank(content)) continue;
    auto parsed = parse_env_assignment(util::trim(content));
    if (!parsed) return std::move(parsed).error().wrap("line {}", line_number);
    vars.push_back(std::move(*parsed));
  }
  return vars;
}

Result<EnvPairs> read_env_file(const std::filesystem::path& path) {
  RKT_TRY_ASSIGN(std::string text, util::read_file(path));
  auto vars = parse_env_file(text);
  if (!vars) return std::move(vars).error().wrap("environment file `{}`", path.string());
  return vars;
}

void set_env(std::vector<appc::EnvironmentVariable>& env, std::string_view name,
             std::string_view value) {
  if (auto* var = find_env(env, name)) {
    var->value = std::string(value);
  } else {
    env.push_back({std::string(name), std::string(value)});
  }
}

void merge_env(std::vector<appc::EnvironmentVariable>& env, const EnvPairs& vars,
               EnvOverride override) {
  for (const auto& [name, value] : vars) {
    if (override == EnvOverride::yes || !find_env(env, name)) set_env(env, name, value);
  }
}

std::vector<appc::EnvironmentVariable> app_environment(
    const std::vector<appc::EnvironmentVariable>& image_env, const AppRequest& app,
    const PodRequest& pod, const EnvPairs& parent_environ) {
  std::vector<appc::EnvironmentVariable> env = image_env;
  if (pod.inherit_env) {
    // The host's environment may hold names appc rejects (exported shell functions) or values
    // an env file can't carry; those are not the app's business.
    EnvPairs usable;
    for (const auto& [name, value] : parent_environ) {
      if (appc::is_env_name(name) && value.find('\n') == std::string::npos) {
        usable.emplace_back(name, value);
      }
    }
    merge_env(env, usable, EnvOverride::no);
  }
  merge_env(env, pod.set_env_file, EnvOverride::yes);
  merge_env(env, pod.set_env, EnvOverride::yes);
  merge_env(env, app.environment, EnvOverride::yes);
  return env;
}

EnvPairs current_environ() {
  EnvPairs vars;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    size_t equals = text.find('=');
    if (equals == std::string_view::npos || equals == 0) continue;
    vars.emplace_back(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return vars;
}

std::vector<appc::EnvironmentVariable> final_environment(std::vector<appc::EnvironmentVariable> env,
                                                         std::string_view app_name,
                                                         std::string_view metadata_url) {
  // Required by the appc executor spec: always the executor's values.
  set_env(env, "AC_APP_NAME", app_name);
  set_env(env, "AC_METADATA_URL", metadata_url);
  set_env(env, "container", "rkt");
  // rkt's defaults, only where the app says nothing.
  static constexpr std::pair<std::string_view, std::string_view> k_defaults[] = {
      {"PATH", k_default_path}, {"SHELL", "/bin/sh"}, {"USER", "root"},
      {"LOGNAME", "root"},      {"HOME", "/root"},
  };
  for (const auto& [name, value] : k_defaults) {
    if (!find_env(env, name)) env.push_back({std::string(name), std::string(value)});
  }
  return env;
}

Result<std::string> format_env_file(const std::vector<appc::EnvironmentVariable>& env) {
  std::string text;
  for (const auto& var : env) {
    if (var.value.find('\n') != std::string::npos) {
      return Error::make(ErrorKind::invalid_argument,
                         "environment variable {}: values can't contain a newline", var.name);
    }
    text += var.name + "=" + var.value + "\n";
  }
  return text;
}

}  // namespace rkt::pod

#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::cli {

/// A per-app flag as given (`--exec=/bin/sh` → {"exec", "/bin/sh"}).
struct AppFlag {
  std::string name;
  std::string value;
  bool operator==(const AppFlag&) const = default;
};

/// One image of `rkt run`/`rkt prepare` with the flags that followed it and its `-- args ---`.
struct AppArgs {
  std::string image;
  std::vector<AppFlag> flags;
  std::vector<std::string> args;
  bool args_given = false;
};

/// The command line split in two: what CLI11 parses (globals, verb, pod flags) and the apps.
struct SplitArguments {
  std::vector<std::string> cli_args;  // argv[0] first
  std::vector<AppArgs> apps;
  std::vector<AppFlag> before_images;  // only --mount may precede the images: applies to all apps
  bool has_apps = false;               // the verb takes images (run, prepare)
};

/// The per-app flags rkt accepts after an image, and whether each is a boolean.
const std::vector<std::pair<std::string, bool>>& app_flag_table();

/// Declares the per-app flags on `cmd` for --help (they are parsed by split_app_arguments).
void describe_app_flags(CLI::App* cmd);

/// Splits argv for the verbs in `app_verbs` ("run", "prepare"): images start apps, per-app flags
/// attach to the preceding image, `--` starts an app's args and `---` ends them; everything else
/// is left for CLI11. Other verbs pass through unchanged.
Result<SplitArguments> split_app_arguments(const CLI::App& root, const std::vector<std::string>& argv,
                                           const std::vector<std::string>& app_verbs);

}  // namespace rkt::cli

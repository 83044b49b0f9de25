#include "cli/app_args.hpp"

#include <algorithm>

namespace rkt::cli {

namespace {

/// Whether a token is `--name` or `--name=value` for a flag of the table; fills name and value.
const std::pair<std::string, bool>* match_app_flag(std::string_view token, std::string& value,
                                                   bool& has_value) {
  if (token.substr(0, 2) != "--") return nullptr;
  std::string_view body = token.substr(2);
  size_t eq = body.find('=');
  std::string_view name = body.substr(0, eq);
  for (const auto& entry : app_flag_table()) {
    if (entry.first != name) continue;
    has_value = eq != std::string_view::npos;
    value = has_value ? std::string(body.substr(eq + 1)) : std::string();
    return &entry;
  }
  return nullptr;
}

/// Whether an option of CLI11 (on `cmd` or a parent) needs the next token as its value.
bool takes_separate_value(const CLI::App& cmd, std::string_view token) {
  if (token.substr(0, 2) != "--" || token.find('=') != std::string_view::npos) return false;
  std::string name(token);
  for (const CLI::App* app = &cmd; app; app = app->get_parent()) {
    const CLI::Option* opt = app->get_option_no_throw(name);
    if (opt) return opt->get_expected_min() > 0;
  }
  return false;
}

Result<void> add_app_flag(SplitArguments& out, AppFlag flag) {
  if (!out.apps.empty()) {
    out.apps.back().flags.push_back(std::move(flag));
  } else if (flag.name == "mount") {
    out.before_images.push_back(std::move(flag));
  } else {
    return Error::make(ErrorKind::invalid_argument, "--{} must follow an image", flag.name);
  }
  return {};
}

}  // namespace

const std::vector<std::pair<std::string, bool>>& app_flag_table() {
  static const std::vector<std::pair<std::string, bool>> k_table = {
      {"exec", false},          {"working-dir", false},    {"readonly-rootfs", true},
      {"mount", false},         {"user", false},           {"group", false},
      {"supplementary-gids", false}, {"name", false},      {"annotation", false},
      {"user-annotation", false}, {"user-label", false},   {"environment", false},
      {"signature", false},     {"memory", false},         {"cpu", false},
      {"cpu-shares", false},    {"caps-retain", false},    {"caps-remove", false},
      {"cap-retain", false},    {"cap-remove", false},     {"seccomp", false},
      {"oom-score-adj", false},
  };
  return k_table;
}

void describe_app_flags(CLI::App* cmd) {
  static std::string ignored;
  for (const auto& [name, is_bool] : app_flag_table()) {
    if (name == "cap-retain" || name == "cap-remove") continue;  // deprecated aliases
    std::string text = "per-app: applies to the preceding image";
    if (is_bool) {
      cmd->add_flag("--" + name, text)->group("Per-app flags");
    } else {
      cmd->add_option("--" + name, ignored, text)->group("Per-app flags");
    }
  }
}

Result<SplitArguments> split_app_arguments(const CLI::App& root, const std::vector<std::string>& argv,
                                           const std::vector<std::string>& app_verbs) {
  SplitArguments out;
  size_t i = 0;
  const CLI::App* verb = nullptr;
  // Globals and their values up to the verb.
  for (; i < argv.size(); ++i) {
    out.cli_args.push_back(argv[i]);
    if (i == 0) continue;
    if (argv[i].starts_with("-")) {
      if (takes_separate_value(root, argv[i]) && i + 1 < argv.size()) out.cli_args.push_back(argv[++i]);
      continue;
    }
    if (std::find(app_verbs.begin(), app_verbs.end(), argv[i]) != app_verbs.end()) {
      for (const CLI::App* sub : root.get_subcommands({})) {
        if (sub->get_name() == argv[i]) verb = sub;
      }
    }
    ++i;
    break;
  }
  if (!verb) {
    out.cli_args.insert(out.cli_args.end(), argv.begin() + static_cast<long>(i), argv.end());
    return out;
  }
  out.has_apps = true;
  for (; i < argv.size(); ++i) {
    const std::string& token = argv[i];
    std::string value;
    bool has_value = false;
    if (const auto* flag = match_app_flag(token, value, has_value)) {
      if (!has_value && !flag->second) {
        if (i + 1 >= argv.size()) {
          return Error::make(ErrorKind::invalid_argument, "--{} needs a value", flag->first);
        }
        value = argv[++i];
      } else if (!has_value) {
        value = "true";
      }
      RKT_TRY(add_app_flag(out, AppFlag{flag->first, value}));
    } else if (token == "--") {
      if (out.apps.empty()) {
        return Error::make(ErrorKind::invalid_argument, "app arguments (--) must follow an image");
      }
      AppArgs& app = out.apps.back();
      app.args_given = true;
      for (++i; i < argv.size() && argv[i] != "---"; ++i) app.args.push_back(argv[i]);
    } else if (token.starts_with("-") && token != "-") {
      out.cli_args.push_back(token);
      if (takes_separate_value(*verb, token) && i + 1 < argv.size()) {
        out.cli_args.push_back(argv[++i]);
      }
    } else {
      out.apps.push_back(AppArgs{token, {}, {}, false});
    }
  }
  return out;
}

}  // namespace rkt::cli

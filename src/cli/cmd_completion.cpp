#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace rkt::cli {

namespace {

std::string words_of(const CLI::App& app) {
  std::string words;
  for (const CLI::App* sub : app.get_subcommands({})) words += sub->get_name() + " ";
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    for (const std::string& name : opt->get_lnames()) words += "--" + name + " ";
  }
  return words;
}

void emit_cases(const CLI::App& app, const std::string& path, std::string& out) {
  out += "    \"" + path + "\") words=\"" + words_of(app) + "\" ;;\n";
  for (const CLI::App* sub : app.get_subcommands({})) {
    emit_cases(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
  }
}

/// A bash completion script derived from the command table, so it never goes stale.
std::string bash_completion(const CLI::App& root) {
  std::string cases;
  emit_cases(root, "", cases);
  return "# bash completion for rkt\n"
         "_rkt() {\n"
         "  local cur path=\"\" w words\n"
         "  cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
         "  for w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do\n"
         "    case \"$w\" in -*) ;; *) path=\"${path:+$path }$w\" ;; esac\n"
         "  done\n"
         "  case \"$path\" in\n" +
         cases +
         "    *) words=\"\" ;;\n"
         "  esac\n"
         "  COMPREPLY=( $(compgen -W \"$words\" -- \"$cur\") )\n"
         "  [ ${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=( $(compgen -f -- \"$cur\") )\n"
         "}\n"
         "complete -F _rkt rkt\n";
}

}  // namespace

void add_completion_command(CommandTable& table, Context&) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = table.add(nullptr, "completion", "Output shell completion code for bash",
                            [&table, shell]() -> Result<int> {
                              if (*shell != "bash") {
                                return Error::make(ErrorKind::invalid_argument,
                                                   "unsupported shell \"{}\" (only bash)", *shell);
                              }
                              std::cout << bash_completion(table.root());
                              return k_exit_success;
                            });
  cmd->add_option("shell", *shell, "the shell (bash)")->required();
}

}  // namespace rkt::cli

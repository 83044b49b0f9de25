#include "cli/command_table.hpp"

#include <iostream>

#include "cli/exit_codes.hpp"
#include "util/log.hpp"

namespace rkt::cli {

namespace {

void configure(CLI::App* app) {
  // Global flags may follow the verb, as with rkt's cobra commands: `rkt fetch --dir=X ...`.
  app->fallthrough();
  app->set_help_flag("-h,--help", "help for this command");
}

}  // namespace

CLI::App* CommandTable::add(CLI::App* parent, const std::string& name, const std::string& summary,
                            Handler handler) {
  CLI::App* owner = parent ? parent : &m_root;
  CLI::App* app = owner->add_subcommand(name, summary);
  configure(app);
  std::string full_name = owner == &m_root ? name : owner->get_name() + " " + name;
  m_entries.push_back({app, std::move(full_name), std::move(handler)});
  return app;
}

CLI::App* CommandTable::add_group(const std::string& name, const std::string& summary) {
  CLI::App* app = m_root.add_subcommand(name, summary);
  configure(app);
  app->require_subcommand(1);
  return app;
}

int CommandTable::dispatch() const {
  for (const Entry& entry : m_entries) {
    if (!entry.app->parsed()) continue;
    bool has_chosen_child = false;
    for (const CLI::App* child : entry.app->get_subcommands()) has_chosen_child |= child->parsed();
    if (has_chosen_child) continue;
    Result<int> result = entry.handler();
    std::cout.flush();
    if (!result) {
      log::write_line(entry.full_name + ": " + result.error().message);
      return k_exit_failure;
    }
    return *result;
  }
  std::cout << m_root.help();
  return k_exit_success;
}

}  // namespace rkt::cli

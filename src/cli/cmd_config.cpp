#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace rkt::cli {

void add_config_command(CommandTable& table, Context& context) {
  auto pretty = std::make_shared<bool>(true);
  CLI::App* cmd = table.add(nullptr, "config", "Print configuration for each stage in JSON format",
                            [&context, pretty]() -> Result<int> {
                              RKT_TRY_ASSIGN(const config::Config* cfg, context.config());
                              auto out = config::config_to_json(*cfg);
                              std::cout << (*pretty ? out.dump(1, '\t') : out.dump()) << "\n";
                              return k_exit_success;
                            });
  cmd->add_flag("--pretty-print", *pretty, "apply indent to format the output")
      ->default_str("true");
}

}  // namespace rkt::cli

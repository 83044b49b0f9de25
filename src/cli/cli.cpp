#include "cli/cli.hpp"

#include <iostream>

#include "cli/app_args.hpp"
#include "cli/implicit_values.hpp"
#include "cli/command_table.hpp"
#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/exit_codes.hpp"
#include "cli/global_options.hpp"
#include "cli/profiling.hpp"
#include "util/log.hpp"

namespace rkt::cli {

namespace {

void add_all_commands(CommandTable& table, Context& context) {
  add_version_command(table, context);
  add_config_command(table, context);
  add_completion_command(table, context);
  add_fetch_command(table, context);
  add_trust_command(table, context);
  add_image_commands(table, context);
  add_run_commands(table, context);
  add_pod_query_commands(table, context);
  add_pod_management_commands(table, context);
  add_metadata_service_command(table, context);
  add_api_service_command(table, context);
}

int report_parse_error(CLI::App& app, const CLI::ParseError& error) {
  if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
    return app.exit(error);  // --help: print it and succeed
  }
  log::write_line(error.what());
  return k_exit_failure;
}

}  // namespace

int run(int argc, char** argv) {
  GlobalOptions globals;
  CLI::App app{"rkt, the pod-native container engine", "rkt"};
  app.set_help_flag("-h,--help", "help for rkt");
  add_global_flags(app, globals);
  Context context(globals);
  CommandTable table(app);
  add_all_commands(table, context);

  auto split = split_app_arguments(app, std::vector<std::string>(argv, argv + argc),
                                   {"run", "prepare"});
  if (!split) {
    log::write_line(split.error().message);
    return k_exit_failure;
  }
  bind_implicit_values(split->cli_args);
  // CLI11 takes the arguments in reverse order, without the program name.
  std::vector<std::string> cli_args(split->cli_args.rbegin(), split->cli_args.rend() - 1);
  context.set_app_arguments(std::move(split).value());
  try {
    app.parse(std::move(cli_args));
  } catch (const CLI::ParseError& error) {
    return report_parse_error(app, error);
  }
  auto insecure = config::parse_insecure_options(globals.insecure_options_text);
  if (!insecure) {
    log::write_line("--insecure-options: " + insecure.error().message);
    return k_exit_failure;
  }
  globals.insecure = *insecure;
  log::set_debug(globals.debug);
  Profiling profiling(globals.cpu_profile, globals.mem_profile, argv);
  return table.dispatch();
}

}  // namespace rkt::cli

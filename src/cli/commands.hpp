#pragma once

#include "cli/command_table.hpp"
#include "cli/context.hpp"

namespace rkt::cli {

// One function per command file; each declares its flags and handler in the table.
void add_version_command(CommandTable& table, Context& context);
void add_config_command(CommandTable& table, Context& context);
void add_completion_command(CommandTable& table, Context& context);
void add_fetch_command(CommandTable& table, Context& context);
void add_trust_command(CommandTable& table, Context& context);
void add_image_commands(CommandTable& table, Context& context);
void add_run_commands(CommandTable& table, Context& context);
void add_pod_query_commands(CommandTable& table, Context& context);
void add_pod_management_commands(CommandTable& table, Context& context);
void add_metadata_service_command(CommandTable& table, Context& context);
void add_api_service_command(CommandTable& table, Context& context);

}  // namespace rkt::cli

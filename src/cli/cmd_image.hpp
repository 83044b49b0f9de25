#pragma once

#include "cli/commands.hpp"

namespace rkt::cli {

// The `rkt image` subcommands, grouped by file.
void add_image_list_command(CommandTable& table, CLI::App* group, Context& context);
void add_image_content_commands(CommandTable& table, CLI::App* group, Context& context);
void add_image_removal_commands(CommandTable& table, CLI::App* group, Context& context);

}  // namespace rkt::cli

#include "cli/cmd_image.hpp"

namespace rkt::cli {

void add_image_commands(CommandTable& table, Context& context) {
  CLI::App* group = table.add_group("image", "Operate on image(s) in the local store");
  add_image_list_command(table, group, context);
  add_image_content_commands(table, group, context);
  add_image_removal_commands(table, group, context);
}

}  // namespace rkt::cli

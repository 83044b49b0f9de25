#include "api/service.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace rkt::cli {

namespace {

struct ApiServiceOptions {
  std::string listen = api::k_default_listen;
  CLI::Option* listen_flag = nullptr;
};

Result<int> run_api_service(Context& context, const ApiServiceOptions& options) {
  RKT_TRY_ASSIGN(auto dir, context.data_dir());
  const GlobalOptions& globals = context.globals();
  api::ServiceOptions service;
  service.listen = options.listen;
  service.data_dir = dir;
  service.system_config_dir = globals.system_config;
  service.local_config_dir = globals.local_config;
  service.user_config_dir = globals.user_config;
  service.insecure_flags = globals.insecure_options_text;
  service.trust_keys_from_https = globals.trust_keys_from_https;
  service.rkt_version = RKT_VERSION;
  RKT_TRY(api::run_service(service, options.listen_flag->count() > 0));
  return k_exit_success;
}

}  // namespace

void add_api_service_command(CommandTable& table, Context& context) {
  auto options = std::make_shared<ApiServiceOptions>();
  CLI::App* cmd = table.add(nullptr, "api-service", "Run API service (experimental)",
                            [&context, options] { return run_api_service(context, *options); });
  cmd->footer(
      "The API service listens for gRPC requests on the address and port specified by the "
      "--listen option, or on the socket passed by systemd socket activation.\n"
      "Usage: rkt api-service [--listen=ADDRESS]");
  options->listen_flag =
      cmd->add_option("--listen", options->listen, "address to listen for client API requests")
          ->default_val(api::k_default_listen);
}

}  // namespace rkt::cli

#include <vector>

#include "api/service.hpp"
#include "cli/commands.hpp"
#include "cli/sibling_binary.hpp"

namespace rkt::cli {

namespace {

struct ApiServiceOptions {
  std::string listen = api::k_default_listen;
  CLI::Option* listen_flag = nullptr;
};

/// The service is the binary rkt-api-service beside rkt: gRPC and its libraries load only there.
Result<int> run_api_service(Context& context, const ApiServiceOptions& options) {
  RKT_TRY_ASSIGN(auto dir, context.data_dir());
  const GlobalOptions& globals = context.globals();
  std::vector<std::string> args = {
      (options.listen_flag->count() > 0 ? "--listen=" : "--default-listen=") + options.listen,
      "--dir=" + dir.string(),
      "--system-config=" + globals.system_config,
      "--local-config=" + globals.local_config,
      "--user-config=" + globals.user_config,
      "--insecure-options=" + globals.insecure_options_text,
      "--rkt-version=" RKT_VERSION,
  };
  if (globals.trust_keys_from_https) args.push_back("--trust-keys-from-https");
  return exec_sibling_binary("rkt-api-service", std::move(args));
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

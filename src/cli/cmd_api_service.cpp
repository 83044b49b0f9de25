#include <unistd.h>

#include <filesystem>
#include <vector>

#include "api/service.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

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
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return Error::from_errno(ec.value(), "reading /proc/self/exe");
  std::filesystem::path service = exe.parent_path() / "rkt-api-service";
  std::vector<std::string> args = {
      service.string(),
      (options.listen_flag->count() > 0 ? "--listen=" : "--default-listen=") + options.listen,
      "--dir=" + dir.string(),
      "--system-config=" + globals.system_config,
      "--local-config=" + globals.local_config,
      "--user-config=" + globals.user_config,
      "--insecure-options=" + globals.insecure_options_text,
      "--rkt-version=" RKT_VERSION,
  };
  if (globals.trust_keys_from_https) args.push_back("--trust-keys-from-https");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  // exec keeps the PID, so systemd's LISTEN_PID still names the service.
  ::execv(service.c_str(), argv.data());
  return Error::from_errno(errno, "exec `{}`", service.string());
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

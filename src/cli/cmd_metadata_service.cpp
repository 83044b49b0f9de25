#include "cli/commands.hpp"
#include "cli/sibling_binary.hpp"
#include "mds/registration_client.hpp"

namespace rkt::cli {

namespace {

struct MetadataServiceOptions {
  int listen_port = mds::k_default_port;
};

Result<int> run_metadata_service(const MetadataServiceOptions& options) {
  RKT_TRY(require_root("metadata-service"));
  if (options.listen_port < 0 || options.listen_port > 65535) {
    return Error::make(ErrorKind::invalid_argument, "--listen-port={}: not a TCP port",
                       options.listen_port);
  }
  // The HTTP server and its libraries live in rkt-metadata-service, beside rkt.
  return exec_sibling_binary("rkt-metadata-service",
                             {"--listen-port=" + std::to_string(options.listen_port)});
}

}  // namespace

void add_metadata_service_command(CommandTable& table, Context&) {
  auto options = std::make_shared<MetadataServiceOptions>();
  CLI::App* cmd = table.add(nullptr, "metadata-service", "Run metadata service",
                            [options] { return run_metadata_service(*options); });
  cmd->footer(
      "Provides a means for running apps to introspect their execution environment and assert "
      "their identity.\nUsage: rkt metadata-service [--listen-port=PORT]");
  cmd->add_option("--listen-port", options->listen_port, "listen port")
      ->default_val(mds::k_default_port);
}

}  // namespace rkt::cli

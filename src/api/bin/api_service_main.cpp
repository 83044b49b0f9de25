// rkt-api-service: the gRPC API service, a binary of its own so that gRPC, protobuf and abseil
// (some 60 shared libraries) load only for `rkt api-service`, which execs this with the options
// it parsed, and not at every start of rkt.
#include <string>
#include <string_view>

#include "api/service.hpp"
#include "util/log.hpp"

namespace {

/// Arguments are exactly what cli/cmd_api_service.cpp passes: --name=value or --name.
bool parse(int argc, char** argv, rkt::api::ServiceOptions& options, bool& listen_given) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    size_t eq = arg.find('=');
    std::string_view name = arg.substr(0, eq);
    std::string value = eq == std::string_view::npos ? "" : std::string(arg.substr(eq + 1));
    if (name == "--listen") {
      options.listen = value;
      listen_given = true;
    } else if (name == "--default-listen") {
      options.listen = value;
    } else if (name == "--dir") {
      options.data_dir = value;
    } else if (name == "--system-config") {
      options.system_config_dir = value;
    } else if (name == "--local-config") {
      options.local_config_dir = value;
    } else if (name == "--user-config") {
      options.user_config_dir = value;
    } else if (name == "--insecure-options") {
      options.insecure_flags = value;
    } else if (name == "--trust-keys-from-https") {
      options.trust_keys_from_https = true;
    } else if (name == "--rkt-version") {
      options.rkt_version = value;
    } else {
      rkt::log::write_line("api-service: unknown argument " + std::string(arg));
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  rkt::api::ServiceOptions options;
  bool listen_given = false;
  if (!parse(argc, argv, options, listen_given)) return 254;
  auto served = rkt::api::run_service(options, listen_given);
  if (!served) {
    rkt::log::write_line("api-service: " + served.error().message);
    return 254;
  }
  return 0;
}

// rkt-metadata-service: the metadata service, a binary of its own so that the HTTP server and
// its libraries load only for `rkt metadata-service`, which execs this with --listen-port=PORT.
#include <cstdlib>
#include <string>
#include <string_view>

#include "mds/service.hpp"
#include "util/log.hpp"

namespace {

constexpr int k_exit_failure = 254;

bool parse(int argc, char** argv, rkt::mds::ServiceOptions& options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    constexpr std::string_view port_flag = "--listen-port=";
    if (!arg.starts_with(port_flag)) {
      rkt::log::write_line("metadata-service: unknown argument " + std::string(arg));
      return false;
    }
    options.listen_port = std::atoi(std::string(arg.substr(port_flag.size())).c_str());
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  rkt::mds::ServiceOptions options;
  options.socket_path = rkt::mds::registration_socket_path();
  if (!parse(argc, argv, options)) return k_exit_failure;
  auto served = rkt::mds::run_service(options);
  if (!served) {
    rkt::log::write_line("metadata-service: " + served.error().message);
    return k_exit_failure;
  }
  return 0;
}

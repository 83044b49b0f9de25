#include "cli/global_options.hpp"

namespace rkt::cli {

void add_global_flags(CLI::App& app, GlobalOptions& options) {
  app.add_option("--dir", options.dir, "rkt data directory (default \"/var/lib/rkt\")");
  app.add_flag("--debug", options.debug, "print out more debug information to stderr");
  app.add_option("--insecure-options", options.insecure_options_text,
                 "comma-separated list of security features to disable: none, http, image, tls, "
                 "ondisk, pubkey, capabilities, paths, seccomp, all-fetch, all-run, all")
      ->default_str("none");
  app.add_option("--local-config", options.local_config, "local configuration directory")
      ->capture_default_str();
  app.add_option("--system-config", options.system_config, "system configuration directory")
      ->capture_default_str();
  app.add_option("--user-config", options.user_config, "user configuration directory");
  app.add_flag("--trust-keys-from-https", options.trust_keys_from_https,
               "automatically trust gpg keys fetched from https");
  // Hidden, as in rkt: an empty group name keeps them out of --help.
  app.add_option("--cpuprofile", options.cpu_profile, "write CPU profile to the file")->group("");
  app.add_option("--memprofile", options.mem_profile, "write memory profile to the file")
      ->group("");
}

}  // namespace rkt::cli

#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "config/insecure_options.hpp"

namespace rkt::cli {

/// The global options of the seed's table, shared by every command.
struct GlobalOptions {
  std::string dir;  // empty: paths.d `data`, else /var/lib/rkt
  bool debug = false;
  std::string insecure_options_text = "none";
  config::InsecureOptions insecure;
  std::string local_config = "/etc/rkt";
  std::string system_config = "/usr/lib/rkt";
  std::string user_config;
  bool trust_keys_from_https = false;
  std::string cpu_profile;
  std::string mem_profile;
};

/// Declares the global flags on the root command (subcommands fall through to them).
void add_global_flags(CLI::App& app, GlobalOptions& options);

}  // namespace rkt::cli

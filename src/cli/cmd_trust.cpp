#include <unistd.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "trust/openpgp_key.hpp"
#include "util/file.hpp"

namespace rkt::cli {

namespace {

struct TrustOptions {
  std::vector<std::string> keys;
  std::string prefix;
  bool root = false;
  bool skip_fingerprint_review = false;
  bool insecure_allow_http = false;
};

void show_key(const TrustOptions& options, const std::string& location,
              const trust::PublicKeyInfo& key) {
  if (!options.root) std::cerr << "prefix: \"" << options.prefix << "\"\n";
  std::cerr << "key: \"" << location << "\"\n"
            << "gpg key fingerprint is: " << trust::format_fingerprint(key.fingerprint) << "\n";
  for (const std::string& identity : key.identities) std::cerr << "\t" << identity << "\n";
}

/// Asks on the terminal, as rkt does; without one, the user must decide with a flag.
Result<bool> review_accepted() {
  if (!::isatty(STDIN_FILENO)) {
    return Error::make(ErrorKind::invalid_argument,
                       "cannot review the key fingerprint without a terminal: use "
                       "--skip-fingerprint-review after checking it");
  }
  std::string answer;
  while (true) {
    std::cerr << "Are you sure you want to trust this key (yes/no)?\n";
    if (!std::getline(std::cin, answer)) return false;
    if (answer == "yes" || answer == "y") return true;
    if (answer == "no" || answer == "n") return false;
    std::cerr << "Please enter 'yes' or 'no'\n";
  }
}

Result<void> trust_key(Context& context, const TrustOptions& options, const std::string& location) {
  RKT_TRY_ASSIGN(std::string data, util::read_file(location));
  RKT_TRY_ASSIGN(trust::PublicKeyInfo key, trust::inspect_public_key(data));
  show_key(options, location, key);
  if (!options.skip_fingerprint_review) {
    RKT_TRY_ASSIGN(bool accepted, review_accepted());
    if (!accepted) {
      std::cerr << "Not trusting \"" << location << "\"\n";
      return {};
    }
    std::cerr << "Trusting \"" << location << "\" for prefix \"" << options.prefix
              << "\" after fingerprint review.\n";
  }
  trust::Keystore keystore = context.keystore();
  if (options.root) {
    RKT_TRY_ASSIGN(auto path, keystore.store_trusted_key_root(data));
    std::cerr << "Added root key at \"" << path.string() << "\"\n";
  } else {
    RKT_TRY_ASSIGN(auto path, keystore.store_trusted_key_prefix(options.prefix, data));
    std::cerr << "Added key for prefix \"" << options.prefix << "\" at \"" << path.string()
              << "\"\n";
  }
  return {};
}

Result<int> run_trust(Context& context, const TrustOptions& options) {
  if (options.root && !options.prefix.empty()) {
    return Error::make(ErrorKind::invalid_argument, "--root and --prefix are mutually exclusive");
  }
  if (!options.root && options.prefix.empty()) {
    return Error::make(ErrorKind::invalid_argument,
                       "--prefix required (or --root for keys trusted for every image)");
  }
  if (options.keys.empty()) {
    return Error::make(ErrorKind::invalid_argument, "{}",
                       options.root ? "--root requires key files"
                                    : "no key files given (discovery of a prefix's keys is "
                                      "not available yet)");
  }
  for (const std::string& location : options.keys) RKT_TRY(trust_key(context, options, location));
  return k_exit_success;
}

}  // namespace

void add_trust_command(CommandTable& table, Context& context) {
  auto options = std::make_shared<TrustOptions>();
  CLI::App* cmd = table.add(nullptr, "trust", "Trust a key for image verification",
                            [&context, options] { return run_trust(context, *options); });
  cmd->add_option("PUBKEY", options->keys, "public key files (armored or binary)");
  cmd->add_option("--prefix", options->prefix, "image name prefix the keys are trusted for");
  cmd->add_flag("--root", options->root, "add keys to the root (any image) trust store");
  cmd->add_flag("--skip-fingerprint-review", options->skip_fingerprint_review,
                "accept the keys without reviewing their fingerprints");
  cmd->add_flag("--insecure-allow-http", options->insecure_allow_http,
                "allow HTTP use for key discovery and/or retrieval");
}

}  // namespace rkt::cli

#include <unistd.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "image/discovery.hpp"
#include "image/key_fetch.hpp"
#include "trust/openpgp_key.hpp"

namespace rkt::cli {

namespace {

struct TrustOptions {
  std::vector<std::string> keys;
  std::string prefix;
  bool root = false;
  bool skip_fingerprint_review = false;
  bool insecure_allow_http = false;
};

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

/// The client for keys and discovery: --insecure-allow-http or the pubkey option allow http.
image::HttpClient key_client(const Context& context, const TrustOptions& options) {
  const config::InsecureOptions& insecure = context.insecure();
  return image::HttpClient(image::HttpSecurity{options.insecure_allow_http || insecure.pubkey ||
                                                   insecure.http,
                                               insecure.tls});
}

/// rkt's global --trust-keys-from-https accepts keys that came over verified https unreviewed.
bool trusted_transport(const Context& context, const std::string& location) {
  return context.globals().trust_keys_from_https && image::url_scheme(location) == "https" &&
         !context.insecure().tls;
}

Result<void> trust_key(Context& context, const TrustOptions& options, const std::string& location) {
  image::HttpClient client = key_client(context, options);
  RKT_TRY_ASSIGN(trust::PublicKeyInfo key,
                 image::fetch_public_key(client, location, client.security().allow_http));
  const std::string& data = key.armored;
  image::print_key(options.root ? "" : options.prefix, location, key);
  if (!options.skip_fingerprint_review && !trusted_transport(context, location)) {
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
  if (!options.prefix.empty()) RKT_TRY(trust::validate_prefix(options.prefix));
  std::vector<std::string> locations = options.keys;
  if (locations.empty()) {
    if (options.root) return Error::make(ErrorKind::invalid_argument, "--root requires keys");
    // No keys given: ask the prefix's discovery page (ac-discovery-pubkeys).
    RKT_TRY_ASSIGN(auto found, image::discover(key_client(context, options), options.prefix, {},
                                               image::DiscoveryWant::keys));
    locations = std::move(found.keys);
  }
  for (const std::string& location : locations) RKT_TRY(trust_key(context, options, location));
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

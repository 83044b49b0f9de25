#include "image/key_fetch.hpp"

#include <iostream>

#include "util/file.hpp"
#include "util/log.hpp"

namespace rkt::image {

namespace {

constexpr size_t k_max_key_size = 1 << 20;

}  // namespace

Result<trust::PublicKeyInfo> fetch_public_key(const HttpClient& client, std::string_view location,
                                              bool allow_http) {
  std::string scheme = url_scheme(location);
  std::string data;
  if (scheme.empty()) {
    RKT_TRY_ASSIGN(data, util::read_file(std::string(location)));
  } else if (scheme == "https" || (scheme == "http" && allow_http)) {
    HttpSecurity security = client.security();
    security.allow_http = allow_http;
    HttpClient key_client(security);
    RKT_TRY_ASSIGN(data, key_client.get_text(std::string(location), {}, k_max_key_size));
  } else if (scheme == "http") {
    return Error::make(ErrorKind::permission,
                       "{}: keys are fetched over https only (allow http with "
                       "--insecure-allow-http or --insecure-options=pubkey)",
                       location);
  } else {
    return Error::make(ErrorKind::invalid_argument, "{}: unsupported key location", location);
  }
  auto key = trust::inspect_public_key(data);
  if (!key) return std::move(key).error().wrap("{}", location);
  return key;
}

void print_key(std::string_view prefix, std::string_view location,
               const trust::PublicKeyInfo& key) {
  if (!prefix.empty()) std::cerr << "prefix: \"" << prefix << "\"\n";
  std::cerr << "key: \"" << location << "\"\n"
            << "gpg key fingerprint is: " << trust::format_fingerprint(key.fingerprint) << "\n";
  for (const std::string& identity : key.identities) std::cerr << "\t" << identity << "\n";
}

Result<void> trust_discovered_keys(const FetchContext& context, std::string_view name,
                                   const std::vector<std::string>& key_urls) {
  RKT_TRY_ASSIGN(bool known, context.keystore.has_keys_for(name));
  if (known || key_urls.empty()) return {};
  for (const std::string& url : key_urls) {
    if (url_scheme(url) != "https" && !context.insecure.pubkey) {
      log::warn("not trusting key {}: not from https (use --insecure-options=pubkey)", url);
      continue;
    }
    RKT_TRY_ASSIGN(auto key, fetch_public_key(context.client, url, context.insecure.pubkey));
    print_key(name, url, key);
    RKT_TRY_ASSIGN(auto path, context.keystore.store_trusted_key_prefix(name, key.armored));
    std::cerr << "Trusting \"" << url << "\" for prefix \"" << name
              << "\" without fingerprint review.\n"
              << "Added key for prefix \"" << name << "\" at \"" << path.string() << "\"\n";
  }
  return {};
}

}  // namespace rkt::image

#pragma once

#include <string>

#include <functional>

#include "config/config.hpp"
#include "config/insecure_options.hpp"
#include "image/fetch_context.hpp"
#include "image/http_client.hpp"
#include "image/image_ref.hpp"
#include "image/pull_policy.hpp"
#include "store/image_store.hpp"
#include "trust/keystore.hpp"

namespace rkt::image {

struct FetchRequest {
  ImageRef ref;
  std::string signature_path;  // --signature; empty: beside the image
};

/// What remote fetches need beyond the store and the keys.
struct NetworkSettings {
  HeaderProvider auth_headers;  // auth.d: headers per host
  bool trust_keys_from_https = false;
  /// auth.d dockerAuth: credentials per registry, or null.
  std::function<const config::BasicCredentials*(std::string_view registry)> docker_credentials;
};

/// Gets images into the store: from the store itself, from files, from https URLs and appc
/// discovery, and Docker registries; verifies signatures unless told not to. Trees are rendered
/// by the first pod that uses an image, as rkt did (see FetchPurpose for the one exception).
class Fetcher {
 public:
  Fetcher(store::ImageStore& store, trust::Keystore keystore, config::InsecureOptions insecure,
          PullPolicy policy, NetworkSettings network = {},
          FetchPurpose purpose = FetchPurpose::store)
      : m_store(store),
        m_keystore(std::move(keystore)),
        m_insecure(insecure),
        m_policy(policy),
        m_purpose(purpose),
        m_network(std::move(network)),
        m_client(HttpSecurity{insecure.http, insecure.tls}, m_network.auth_headers) {}

  Result<store::ImageInfo> fetch(const FetchRequest& request);

 private:
  Result<store::ImageInfo> fetch_file(const FetchRequest& request);
  Result<store::ImageInfo> fetch_name(const FetchRequest& request);
  Result<store::ImageInfo> fetch_url(const FetchRequest& request);
  Result<store::ImageInfo> fetch_docker(const FetchRequest& request);
  FetchContext fetch_context() const;
  Result<void> verify_signature(const std::string& image_name, const std::string& aci_path,
                                const std::string& signature_path);

  store::ImageStore& m_store;
  trust::Keystore m_keystore;
  config::InsecureOptions m_insecure;
  PullPolicy m_policy;
  FetchPurpose m_purpose;
  NetworkSettings m_network;
  HttpClient m_client;
};

/// The signature file rkt expects beside an image: strip ".aci", append ".aci.asc".
std::string default_signature_path(const std::string& aci_path);

}  // namespace rkt::image

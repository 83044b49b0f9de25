#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "image/docker/docker_ref.hpp"
#include "image/http_client.hpp"

namespace rkt::image::docker {

/// A manifest or index as the registry sent it.
struct FetchedManifest {
  std::string media_type;  // Content-Type
  std::string body;
  std::string digest;  // "sha256:<hex>" of the body
};

/// The parameters of a "WWW-Authenticate: Bearer realm=...,service=...,scope=..." challenge.
struct BearerChallenge {
  std::string realm;
  std::string service;
  std::string scope;
};
/// Parses a Bearer challenge (nullopt for Basic or anything else).
std::optional<BearerChallenge> parse_bearer_challenge(std::string_view header);

/// The Docker registry v2 API for one repository: manifests and blobs, with Docker's token
/// dance (401 + Bearer challenge: ask the realm for a token, with the dockerAuth credentials when
/// configured) and basic auth. https unless --insecure-options=http; then http (rkt's rule).
/// Safe to use from several threads (blob downloads run in parallel).
class RegistryClient {
 public:
  RegistryClient(const HttpClient& client, DockerRef ref,
                 const config::BasicCredentials* credentials);

  /// The manifest or index for `reference` (tag or digest), accepting the listed media types.
  Result<FetchedManifest> manifest(const std::string& reference,
                                   const std::vector<std::string>& accept);
  /// Streams blob `digest` to `sink` (a registry may redirect to a storage URL).
  Result<void> blob(const std::string& digest, const BodySink& sink,
                    const ProgressCallback& progress = {});
  std::string base_url() const;
  std::string blob_url(const std::string& digest) const { return base_url() + "/blobs/" + digest; }
  /// Sends a GET built by the caller (e.g. with Range) with this registry's auth; any status.
  Result<HttpResponse> send(const HttpRequest& request, const BodySink& sink,
                            const ProgressCallback& progress) {
    return get_with_auth(request, sink, progress);
  }
  const HttpClient& client() const { return m_client; }

 private:
  Result<HttpResponse> get_with_auth(HttpRequest request, const BodySink& sink,
                                     const ProgressCallback& progress);
  Result<void> authenticate(const HttpResponse& challenge);
  std::vector<std::string> auth_headers();
  /// What to do about a refusal: add credentials, or check the ones given.
  std::string credentials_hint() const;

  const HttpClient& m_client;
  DockerRef m_ref;
  const config::BasicCredentials* m_credentials;
  std::mutex m_mutex;
  std::string m_authorization;  // "Authorization: ..." once known
};

}  // namespace rkt::image::docker

#include "image/docker/registry_client.hpp"

#include <nlohmann/json.hpp>

#include "util/digest.hpp"
#include "util/strings.hpp"

namespace rkt::image::docker {

namespace {

constexpr size_t k_max_manifest_size = 4 << 20;

bool is_success(long status) { return status >= 200 && status < 300; }

Error status_error(const std::string& url, long status) {
  ErrorKind kind = status == 404   ? ErrorKind::not_found
                   : status == 401 ? ErrorKind::permission
                                   : ErrorKind::network;
  return Error::make(kind, "{}: {}", url, status_text(status));
}

}  // namespace

std::optional<BearerChallenge> parse_bearer_challenge(std::string_view header) {
  std::string_view text = util::trim(header);
  if (util::to_lower(text.substr(0, 7)) != "bearer ") return std::nullopt;
  text.remove_prefix(7);
  BearerChallenge challenge;
  while (!text.empty()) {
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) break;
    std::string key = util::to_lower(util::trim(text.substr(0, eq)));
    text.remove_prefix(eq + 1);
    std::string value;
    if (!text.empty() && text.front() == '"') {
      size_t end = text.find('"', 1);
      if (end == std::string_view::npos) end = text.size();
      value = std::string(text.substr(1, end - 1));
      text.remove_prefix(std::min(text.size(), end + 1));
    } else {
      size_t end = text.find(',');
      value = std::string(util::trim(text.substr(0, end)));
      text.remove_prefix(end == std::string_view::npos ? text.size() : end);
    }
    if (!text.empty() && text.front() == ',') text.remove_prefix(1);
    text = util::trim(text);
    if (key == "realm") challenge.realm = value;
    if (key == "service") challenge.service = value;
    if (key == "scope") challenge.scope = value;
  }
  if (challenge.realm.empty()) return std::nullopt;
  return challenge;
}

RegistryClient::RegistryClient(const HttpClient& client, DockerRef ref,
                               const config::BasicCredentials* credentials)
    : m_client(client), m_ref(std::move(ref)), m_credentials(credentials) {}

std::string RegistryClient::base_url() const {
  return std::string(m_client.security().allow_http ? "http" : "https") + "://" + m_ref.registry +
         "/v2/" + m_ref.repository;
}

std::string RegistryClient::credentials_hint() const {
  if (m_credentials == nullptr) {
    return "add a dockerAuth entry for " + m_ref.registry + " to auth.d";
  }
  return "the dockerAuth credentials for " + m_ref.registry + " were refused";
}

std::vector<std::string> RegistryClient::auth_headers() {
  std::lock_guard lock(m_mutex);
  if (m_authorization.empty()) return {};
  return {m_authorization};
}

Result<void> RegistryClient::authenticate(const HttpResponse& challenge_response) {
  std::string header = challenge_response.header("www-authenticate");
  std::string basic;
  if (m_credentials != nullptr) {
    basic = "Authorization: Basic " +
            config::base64_encode(m_credentials->user + ":" + m_credentials->password);
  }
  auto bearer = parse_bearer_challenge(header);
  if (!bearer) {
    if (basic.empty()) {
      return Error::make(ErrorKind::permission, "{}: the registry wants credentials ({})",
                         challenge_response.effective_url, credentials_hint());
    }
    std::lock_guard lock(m_mutex);
    m_authorization = basic;
    return {};
  }
  std::string scope = bearer->scope.empty() ? "repository:" + m_ref.repository + ":pull"
                                            : bearer->scope;
  std::string url = bearer->realm + (bearer->realm.find('?') == std::string::npos ? "?" : "&") +
                    "service=" + bearer->service + "&scope=" + scope;
  std::vector<std::string> headers;
  if (!basic.empty()) headers.push_back(basic);
  HttpClient token_client(HttpSecurity{m_client.security().allow_http,
                                       m_client.security().skip_tls_check});
  auto body = token_client.get_text(url, headers, 1 << 20);
  if (!body) {
    return Error::make(ErrorKind::permission, "{} (the token server of {}; {})",
                       body.error().message, m_ref.registry, credentials_hint());
  }
  auto json = nlohmann::json::parse(*body, nullptr, false);
  std::string token;
  if (json.is_object()) {
    token = json.value("token", json.value("access_token", std::string()));
  }
  if (token.empty()) {
    return Error::make(ErrorKind::permission, "{}: no token in the answer", bearer->realm);
  }
  std::lock_guard lock(m_mutex);
  m_authorization = "Authorization: Bearer " + token;
  return {};
}

Result<HttpResponse> RegistryClient::get_with_auth(HttpRequest request, const BodySink& sink,
                                                   const ProgressCallback& progress) {
  std::vector<std::string> base_headers = request.headers;
  for (int attempt = 0; attempt < 2; ++attempt) {
    request.headers = base_headers;
    for (std::string& header : auth_headers()) request.headers.push_back(std::move(header));
    RKT_TRY_ASSIGN(HttpResponse response, m_client.get(request, sink, progress));
    if (response.status == 401 && attempt == 1) {
      return Error::make(ErrorKind::permission, "{}: {} ({})", request.url,
                         status_text(response.status), credentials_hint());
    }
    if (response.status != 401) return response;
    RKT_TRY(authenticate(response));
  }
  return Error::make(ErrorKind::permission, "{}: unauthorized", request.url);
}

Result<FetchedManifest> RegistryClient::manifest(const std::string& reference,
                                                 const std::vector<std::string>& accept) {
  std::string url = base_url() + "/manifests/" + reference;
  std::string body;
  BodySink sink = [&](std::string_view chunk) -> Result<void> {
    if (body.size() + chunk.size() > k_max_manifest_size) {
      return Error::make(ErrorKind::invalid_argument, "manifest larger than {} bytes",
                         k_max_manifest_size);
    }
    body.append(chunk);
    return {};
  };
  HttpRequest request{url, {"Accept: " + util::join(accept, ", ")}};
  RKT_TRY_ASSIGN(HttpResponse response, get_with_auth(request, sink, {}));
  if (!is_success(response.status)) return status_error(url, response.status);
  std::string media_type = response.header("content-type");
  if (size_t semicolon = media_type.find(';'); semicolon != std::string::npos) {
    media_type.resize(semicolon);
  }
  std::string digest = "sha256:" + util::sha256_hex(body);
  if (util::starts_with(reference, "sha256:") && reference != digest) {
    return Error::make(ErrorKind::verification_failed, "{}: manifest digest is {}, not {}", url,
                       digest, reference);
  }
  return FetchedManifest{std::string(util::trim(media_type)), std::move(body), std::move(digest)};
}

Result<void> RegistryClient::blob(const std::string& digest, const BodySink& sink,
                                  const ProgressCallback& progress) {
  std::string url = base_url() + "/blobs/" + digest;
  RKT_TRY_ASSIGN(HttpResponse response, get_with_auth(HttpRequest{url}, sink, progress));
  if (!is_success(response.status)) return status_error(url, response.status);
  return {};
}

}  // namespace rkt::image::docker

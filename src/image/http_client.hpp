#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::image {

/// Transport security knobs, from --insecure-options (http, tls).
struct HttpSecurity {
  bool allow_http = false;    // plain http:// URLs (and redirects to them) are allowed
  bool skip_tls_check = false;  // no certificate or host name verification
};

/// Extra request headers for a host ("example.com" or "example.com:8443"), e.g. auth.d's.
using HeaderProvider = std::function<std::vector<std::string>(std::string_view host)>;

/// Called with (bytes so far, expected total or 0) while a body downloads.
using ProgressCallback = std::function<void(uint64_t done, uint64_t total)>;

/// Receives body bytes as they arrive; an error aborts the transfer.
using BodySink = std::function<Result<void>(std::string_view chunk)>;

struct HttpResponse {
  long status = 0;
  std::string effective_url;                  // after redirects
  std::map<std::string, std::string> headers;  // lower-case names, last value wins
  uint64_t body_bytes = 0;

  /// The header's value, or "" (name in lower case).
  std::string header(std::string_view name) const;
};

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value", added to the provider's
  uint64_t resume_from = 0;          // > 0: "Range: bytes=N-" (the server may answer 200)
  std::string if_none_match;         // an ETag: a 304 answer means "unchanged"
  bool head_only = false;
  /// Called once with the status of a 2xx answer, before its first body byte (e.g. to learn
  /// whether a range request was honoured: 206, or restarted: 200).
  std::function<Result<void>(const HttpResponse&)> on_start;
};

/// A small HTTP(S) client over libcurl that refuses what the security settings forbid: plain
/// HTTP unless allowed (also through redirects), unverified TLS unless told otherwise. Honours
/// SSL_CERT_FILE / SSL_CERT_DIR for the trusted CAs, as rkt (Go) did. A transfer that makes no
/// progress for the stall timeout (RKT_HTTP_STALL_TIMEOUT seconds, default 60) fails.
class HttpClient {
 public:
  explicit HttpClient(HttpSecurity security, HeaderProvider headers = {});

  /// Sends the request; the body goes to `sink` (2xx answers only; others are collected for the
  /// error message). Any status is a successful Result: callers decide what a 404 means.
  Result<HttpResponse> get(const HttpRequest& request, const BodySink& sink,
                           const ProgressCallback& progress = {}) const;
  /// GET into memory, failing on a non-2xx status or a body over `max_size` bytes.
  Result<std::string> get_text(const std::string& url, std::vector<std::string> headers = {},
                               size_t max_size = 8 << 20) const;

  const HttpSecurity& security() const { return m_security; }

 private:
  Result<void> check_scheme(std::string_view url) const;

  HttpSecurity m_security;
  HeaderProvider m_headers;
};

/// "host[:port]" of an http(s) URL ("" if it has none).
std::string url_host(std::string_view url);
/// "https" or "http" (lower case) of a URL, "" without a scheme.
std::string url_scheme(std::string_view url);
/// A one-line description of an HTTP status for error messages ("404 Not Found").
std::string status_text(long status);
/// The max-age of a Cache-Control header, 0 when absent or no-cache/no-store.
int64_t cache_max_age(std::string_view cache_control);

}  // namespace rkt::image

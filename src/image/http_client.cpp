#include "image/http_client.hpp"

#include <cstdlib>
#include <memory>
#include <optional>

#include "image/curl_library.hpp"
#include "util/strings.hpp"

namespace rkt::image {

namespace {

using CurlPtr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using SlistPtr = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

constexpr long k_default_stall_seconds = 60;
constexpr size_t k_max_error_body = 512;

long stall_seconds() {
  const char* text = std::getenv("RKT_HTTP_STALL_TIMEOUT");
  if (text == nullptr) return k_default_stall_seconds;
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  return (end != text && *end == '\0' && value > 0) ? value : k_default_stall_seconds;
}

/// State shared with libcurl's callbacks during one transfer.
struct Transfer {
  const CurlLibrary* lib = nullptr;
  CURL* curl = nullptr;
  const BodySink* sink = nullptr;
  const HttpRequest* request = nullptr;
  bool started = false;
  const ProgressCallback* progress = nullptr;
  uint64_t resume_from = 0;
  HttpResponse response;
  std::string error_body;
  std::optional<Error> sink_error;
};

bool is_success(long status) {
  return status >= 200 && status < 300;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (util::starts_with(line, "HTTP/")) {
    transfer->response.headers.clear();  // a new answer (after a redirect or a 100)
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    transfer->response.headers[util::to_lower(util::trim(line.substr(0, colon)))] =
        std::string(util::trim(line.substr(colon + 1)));
  }
  return size * count;
}

constexpr long k_body_buffer_size = 256 * 1024;

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  long status = 0;
  transfer->lib->easy_getinfo(transfer->curl, CURLINFO_RESPONSE_CODE, &status);
  if (!is_success(status)) {
    size_t room = k_max_error_body - std::min(k_max_error_body, transfer->error_body.size());
    transfer->error_body.append(data, std::min(room, bytes));
    return bytes;
  }
  if (!transfer->started) {
    transfer->started = true;
    transfer->response.status = status;
    if (transfer->request->on_start) {
      auto accepted = transfer->request->on_start(transfer->response);
      if (!accepted) {
        transfer->sink_error = std::move(accepted).error();
        return 0;
      }
    }
  }
  transfer->response.body_bytes += bytes;
  if (*transfer->sink) {
    auto written = (*transfer->sink)(std::string_view(data, bytes));
    if (!written) {
      transfer->sink_error = std::move(written).error();
      return 0;  // aborts the transfer
    }
  }
  return bytes;
}

int on_progress(void* user, curl_off_t total, curl_off_t done, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  long status = 0;
  transfer->lib->easy_getinfo(transfer->curl, CURLINFO_RESPONSE_CODE, &status);
  if (*transfer->progress && is_success(status)) {
    uint64_t base = status == 206 ? transfer->resume_from : 0;
    (*transfer->progress)(base + static_cast<uint64_t>(done),
                          total > 0 ? base + static_cast<uint64_t>(total) : 0);
  }
  return 0;
}

void set_security(const CurlLibrary& lib, CURL* curl, const HttpSecurity& security) {
  const char* protocols = security.allow_http ? "http,https" : "https";
  lib.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
  lib.easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  lib.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, security.skip_tls_check ? 0L : 1L);
  lib.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, security.skip_tls_check ? 0L : 2L);
  // libcurl ignores these variables (only the curl program reads them); rkt, in Go, honoured them.
  if (const char* file = std::getenv("SSL_CERT_FILE"); file != nullptr && *file != '\0') {
    lib.easy_setopt(curl, CURLOPT_CAINFO, file);
  }
  if (const char* dir = std::getenv("SSL_CERT_DIR"); dir != nullptr && *dir != '\0') {
    lib.easy_setopt(curl, CURLOPT_CAPATH, dir);
  }
}

SlistPtr header_list(const CurlLibrary& lib, const std::vector<std::string>& headers) {
  curl_slist* list = nullptr;
  for (const std::string& header : headers) list = lib.slist_append(list, header.c_str());
  return SlistPtr(list, lib.slist_free_all);
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(HttpSecurity security, HeaderProvider headers)
    : m_security(security), m_headers(std::move(headers)) {}

Result<void> HttpClient::check_scheme(std::string_view url) const {
  std::string scheme = url_scheme(url);
  if (scheme == "https") return {};
  if (scheme == "http") {
    if (m_security.allow_http) return {};
    return Error::make(ErrorKind::permission,
                       "{}: plain HTTP is not allowed (use --insecure-options=http)", url);
  }
  return Error::make(ErrorKind::invalid_argument, "{}: not an http(s) URL", url);
}

Result<HttpResponse> HttpClient::get(const HttpRequest& request, const BodySink& sink,
                                     const ProgressCallback& progress) const {
  RKT_TRY(check_scheme(request.url));
  RKT_TRY_ASSIGN(const CurlLibrary* lib, curl_library());
  CurlPtr curl(lib->easy_init(), lib->easy_cleanup);
  if (!curl) return Error::make(ErrorKind::io, "{}: cannot start an HTTP transfer", request.url);
  std::vector<std::string> headers = request.headers;
  if (m_headers) {
    for (std::string& header : m_headers(url_host(request.url)))
      headers.push_back(std::move(header));
  }
  if (!request.if_none_match.empty()) headers.push_back("If-None-Match: " + request.if_none_match);
  // Our own Range header rather than CURLOPT_RESUME_FROM, which fails when the server restarts
  // with a 200 (If-Range mismatch); the caller sees the status in on_start.
  if (request.resume_from > 0) {
    headers.push_back("Range: bytes=" + std::to_string(request.resume_from) + "-");
  }
  SlistPtr list = header_list(*lib, headers);

  Transfer transfer;
  transfer.lib = lib;
  transfer.curl = curl.get();
  transfer.sink = &sink;
  transfer.request = &request;
  transfer.progress = &progress;
  transfer.resume_from = request.resume_from;
  char error_buffer[CURL_ERROR_SIZE] = {};
  long stall = stall_seconds();
  CURL* c = curl.get();
  lib->easy_setopt(c, CURLOPT_URL, request.url.c_str());
  lib->easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  lib->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  lib->easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  lib->easy_setopt(c, CURLOPT_USERAGENT, "rkt");
  lib->easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  lib->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  lib->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, stall);
  lib->easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  lib->easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall);
  lib->easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  lib->easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  lib->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  // Bodies in pieces of up to 256 KiB rather than 16: fewer reads from the socket, and fewer
  // writes, digest calls and wake-ups of a reader downstream (~7% of a layer fetch's CPU).
  lib->easy_setopt(c, CURLOPT_BUFFERSIZE, k_body_buffer_size);
  lib->easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  lib->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  lib->easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
  lib->easy_setopt(c, CURLOPT_NOPROGRESS, progress ? 0L : 1L);
  if (request.head_only) lib->easy_setopt(c, CURLOPT_NOBODY, 1L);
  set_security(*lib, c, m_security);

  CURLcode code = lib->easy_perform(c);
  if (transfer.sink_error) return std::move(*transfer.sink_error).wrap("{}", request.url);
  if (code != CURLE_OK) {
    std::string detail = error_buffer[0] != '\0' ? error_buffer : lib->easy_strerror(code);
    if (code == CURLE_OPERATION_TIMEDOUT) detail += " (the server stopped sending)";
    return Error::make(ErrorKind::network, "{}: {}", request.url, detail);
  }
  lib->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  if (!transfer.started && is_success(transfer.response.status) && request.on_start) {
    RKT_TRY(request.on_start(transfer.response));  // an empty body
  }
  char* effective = nullptr;
  lib->easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
  transfer.response.effective_url = effective != nullptr ? effective : request.url;
  return std::move(transfer.response);
}

Result<std::string> HttpClient::get_text(const std::string& url, std::vector<std::string> headers,
                                         size_t max_size) const {
  std::string body;
  BodySink sink = [&](std::string_view chunk) -> Result<void> {
    if (body.size() + chunk.size() > max_size) {
      return Error::make(ErrorKind::invalid_argument, "answer larger than {} bytes", max_size);
    }
    body.append(chunk);
    return {};
  };
  HttpRequest request{url, std::move(headers)};
  RKT_TRY_ASSIGN(HttpResponse response, get(request, sink));
  if (!is_success(response.status)) {
    return Error::make(response.status == 404 ? ErrorKind::not_found : ErrorKind::network, "{}: {}",
                       url, status_text(response.status));
  }
  return body;
}

std::string url_scheme(std::string_view url) {
  size_t colon = url.find("://");
  return colon == std::string_view::npos ? std::string() : util::to_lower(url.substr(0, colon));
}

std::string url_host(std::string_view url) {
  size_t start = url.find("://");
  if (start == std::string_view::npos) return {};
  url.remove_prefix(start + 3);
  size_t end = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  return util::to_lower(authority);
}

std::string status_text(long status) {
  switch (status) {
    case 400:
      return "400 Bad Request";
    case 401:
      return "401 Unauthorized";
    case 403:
      return "403 Forbidden";
    case 404:
      return "404 Not Found";
    case 416:
      return "416 Range Not Satisfiable";
    case 429:
      return "429 Too Many Requests";
    case 500:
      return "500 Internal Server Error";
    case 502:
      return "502 Bad Gateway";
    case 503:
      return "503 Service Unavailable";
    default:
      return "HTTP status " + std::to_string(status);
  }
}

int64_t cache_max_age(std::string_view cache_control) {
  int64_t max_age = 0;
  for (const std::string& part : util::split(cache_control, ',')) {
    std::string directive = util::to_lower(util::trim(part));
    if (directive == "no-cache" || directive == "no-store") return 0;
    if (util::starts_with(directive, "max-age=")) {
      max_age = std::strtoll(directive.c_str() + 8, nullptr, 10);
    }
  }
  return max_age > 0 ? max_age : 0;
}

}  // namespace rkt::image

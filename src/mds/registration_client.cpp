// A minimal HTTP/1.1 client over the registration unix socket (httplib has no unix client).
#include "mds/registration_client.hpp"

#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "sys/unix_address.hpp"
#include "util/unique_fd.hpp"

namespace rkt::mds {

namespace fs = std::filesystem;

namespace {

struct Reply {
  int status = 0;
  std::string body;
};

Result<UniqueFd> connect_unix(const fs::path& socket) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::from_errno(errno, "socket");
  auto address = sys::unix_address(socket);
  if (!address) {
    return Error::make(ErrorKind::invalid_argument, "socket path `{}` is too long",
                       socket.string());
  }
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&*address), sizeof *address) != 0) {
    int err = errno;
    return Error{ErrorKind::network, err,
                 fmt::format("cannot reach the metadata service at `{}`: {} (is `rkt "
                             "metadata-service` running? start it, or run without --mds-register)",
                             socket.string(), std::strerror(err))};
  }
  return fd;
}

Result<void> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "writing to the metadata service");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<Reply> parse_reply(const std::string& raw) {
  // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody" (we ask for Connection: close, so the body runs to EOF)
  Reply reply;
  auto space = raw.find(' ');
  auto header_end = raw.find("\r\n\r\n");
  if (!raw.starts_with("HTTP/1.") || space == std::string::npos || header_end == std::string::npos) {
    return Error::make(ErrorKind::network, "malformed reply from the metadata service");
  }
  reply.status = std::atoi(raw.c_str() + space + 1);
  reply.body = raw.substr(header_end + 4);
  return reply;
}

Result<Reply> request(const fs::path& socket, std::string_view method, std::string_view target,
                      std::string_view body) {
  RKT_TRY_ASSIGN(UniqueFd fd, connect_unix(socket));
  std::string head = fmt::format(
      "{} {} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
      "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
      method, target, body.size());
  RKT_TRY(write_all(fd.get(), head));
  RKT_TRY(write_all(fd.get(), body));
  std::string raw;
  char buffer[4096];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "reading from the metadata service");
    if (n == 0) break;
    raw.append(buffer, static_cast<size_t>(n));
  }
  return parse_reply(raw);
}

Result<void> expect_ok(const Reply& reply, std::string_view what) {
  if (reply.status == 200) return {};
  std::string_view body = reply.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
  return Error::make(ErrorKind::network, "metadata service refused {}: {} {}", what, reply.status,
                     body);
}

}  // namespace

fs::path registration_socket_path() {
  const char* path = ::getenv("RKT_METADATA_SOCKET");
  return path && *path ? fs::path(path) : fs::path(k_default_socket);
}

Result<std::string> make_token() {
  unsigned char bytes[16];
  size_t done = 0;
  while (done < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + done, sizeof bytes - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "getrandom");
    done += static_cast<size_t>(n);
  }
  std::string token;
  for (unsigned char b : bytes) token += fmt::format("{:02x}", b);
  return token;
}

Result<int> register_pod(const fs::path& socket, std::string_view uuid, std::string_view token,
                         std::string_view pod_manifest_json,
                         const std::vector<AppRegistration>& apps) {
  RKT_TRY_ASSIGN(Reply pod_reply, request(socket, "PUT", fmt::format("/pods/{}?token={}", uuid, token),
                                          pod_manifest_json));
  RKT_TRY(expect_ok(pod_reply, "the pod"));
  auto port = nlohmann::json::parse(pod_reply.body, nullptr, false);
  if (!port.is_object() || !port.contains("port") || !port["port"].is_number_integer()) {
    return Error::make(ErrorKind::network, "malformed registration reply from the metadata service");
  }
  for (const auto& app : apps) {
    RKT_TRY_ASSIGN(Reply app_reply, request(socket, "PUT", fmt::format("/pods/{}/{}", uuid, app.name),
                                            app.image_manifest_json));
    RKT_TRY(expect_ok(app_reply, fmt::format("app \"{}\"", app.name)));
  }
  return port["port"].get<int>();
}

Result<void> unregister_pod(const fs::path& socket, std::string_view uuid) {
  RKT_TRY_ASSIGN(Reply reply, request(socket, "DELETE", fmt::format("/pods/{}", uuid), ""));
  if (reply.status == 404) return {};
  return expect_ok(reply, "unregistering the pod");
}

}  // namespace rkt::mds

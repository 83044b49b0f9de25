#include "mds/service.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <chrono>
#include <thread>

#include "mds/routes.hpp"
#include "sys/service_signals.hpp"
#include "sys/systemd.hpp"
#include "sys/unix_address.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace rkt::mds {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_registration_body_max = 4 << 20;  // a pod or image manifest
constexpr size_t k_public_body_max = 64 << 10;       // hmac forms
constexpr int k_backlog = 128;

/// httplib's Server serving on a socket we bound ourselves (a unix socket, or one from systemd).
class AdoptingServer : public httplib::Server {
 public:
  bool serve_on(int fd) {
    svr_sock_ = fd;
    return listen_after_bind();
  }
};

/// A socket file nobody answers on is left from a killed service: it may go.
bool someone_listens(const sockaddr_un& address) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return fd &&
         ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

Result<UniqueFd> listen_unix(const fs::path& path) {
  auto address = sys::unix_address(path);
  if (!address) {
    return Error::make(ErrorKind::invalid_argument, "socket path `{}` is too long", path.string());
  }
  RKT_TRY(util::make_dirs(path.parent_path(), 0755));
  if (someone_listens(*address)) {
    return Error::make(ErrorKind::already_exists,
                       "`{}`: a metadata service is already running", path.string());
  }
  ::unlink(path.c_str());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::from_errno(errno, "socket");
  // Only root registers pods: the socket is created 0600.
  mode_t old_mask = ::umask(0177);
  int bound = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&*address), sizeof *address);
  ::umask(old_mask);
  if (bound != 0) return Error::from_errno(errno, "bind `{}`", path.string());
  if (::listen(fd.get(), k_backlog) != 0) return Error::from_errno(errno, "listen `{}`", path.string());
  return fd;
}

Result<UniqueFd> listen_tcp(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::from_errno(errno, "socket");
  int yes = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return Error::from_errno(errno, "listening on port {}", port);
  }
  if (::listen(fd.get(), k_backlog) != 0) return Error::from_errno(errno, "listen on port {}", port);
  return fd;
}

int socket_family(int fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return -1;
  return address.ss_family;
}

int bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return -1;
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  }
  return -1;
}

/// No Nagle on the apps' connections: httplib writes a response's headers and body separately,
/// and on a kept-alive connection the body would wait for the client's delayed ACK (~40 ms).
/// Linux gives accepted sockets the listener's TCP_NODELAY.
void disable_nagle(int fd) {
  int yes = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
}

/// The listening sockets: socket-activated ones by family, the rest made here.
struct Listeners {
  UniqueFd registration;
  UniqueFd public_http;
  bool registration_activated = false;
};

Result<Listeners> open_listeners(const ServiceOptions& options) {
  Listeners listeners;
  for (int fd : sys::take_listen_fds()) {
    int family = socket_family(fd);
    if (family == AF_UNIX && !listeners.registration) {
      listeners.registration.reset(fd);
      listeners.registration_activated = true;
    } else if ((family == AF_INET || family == AF_INET6) && !listeners.public_http) {
      listeners.public_http.reset(fd);
    } else {
      ::close(fd);
    }
  }
  if (!listeners.registration) {
    RKT_TRY_ASSIGN(listeners.registration, listen_unix(options.socket_path));
  }
  if (!listeners.public_http) {
    auto tcp = listen_tcp(options.listen_port);
    if (!tcp) {
      if (!listeners.registration_activated) ::unlink(options.socket_path.c_str());
      return std::move(tcp).error();
    }
    listeners.public_http = std::move(*tcp);
  }
  disable_nagle(listeners.public_http.get());
  return listeners;
}

/// A server running in its own thread; one that stops on its own brings the service down.
class ServerThread {
 public:
  ServerThread(AdoptingServer& server, UniqueFd fd)
      : m_server(server), m_thread([this, raw = fd.release()] {
          if (!m_server.serve_on(raw)) ::kill(::getpid(), SIGTERM);
          m_done = true;
        }) {}
  ~ServerThread() {
    // stop() only works once the server runs: wait for it to start (or to have failed).
    while (!m_server.is_running() && !m_done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    m_server.stop();
    m_thread.join();
  }

 private:
  AdoptingServer& m_server;
  std::atomic<bool> m_done{false};
  std::thread m_thread;
};

}  // namespace

Result<void> run_service(const ServiceOptions& options) {
  const sys::ServiceSignals signals;  // before the server threads, which inherit the mask
  RKT_TRY_ASSIGN(HmacKey key, make_hmac_key());
  RKT_TRY_ASSIGN(Listeners listeners, open_listeners(options));
  const int port = bound_port(listeners.public_http.get());
  const bool remove_socket = !listeners.registration_activated;

  PodRegistry registry;
  AdoptingServer registration;
  AdoptingServer public_http;
  harden(registration, k_registration_body_max);
  harden(public_http, k_public_body_max);
  add_registration_routes(registration, registry, port);
  add_public_routes(public_http, registry, key);

  {
    ServerThread registration_thread(registration, std::move(listeners.registration));
    ServerThread public_thread(public_http, std::move(listeners.public_http));
    log::info("metadata service running: registrations on {}, apps on port {}",
              remove_socket ? options.socket_path.string() : "the socket-activated socket", port);
    signals.serve_until_stopped("metadata service");
  }
  if (remove_socket) ::unlink(options.socket_path.c_str());
  return {};
}

}  // namespace rkt::mds

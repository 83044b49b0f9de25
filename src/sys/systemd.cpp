// The two systemd protocols a long-running rkt process speaks: socket activation and sd_notify.
#include "sys/systemd.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>

#include "util/unique_fd.hpp"

namespace rkt::sys {

namespace {

int parse_positive(const char* text) {
  if (!text) return -1;
  int value = -1;
  auto end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, value);
  return ec == std::errc() && ptr == end ? value : -1;
}

}  // namespace

int listen_fds_count() {
  if (const char* pid = ::getenv("LISTEN_PID"); pid && parse_positive(pid) != ::getpid()) return 0;
  int count = parse_positive(::getenv("LISTEN_FDS"));
  return count > 0 ? count : 0;
}

std::vector<int> take_listen_fds() {
  int count = listen_fds_count();
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDNAMES");
  std::vector<int> fds;
  for (int fd = k_listen_fds_start; fd < k_listen_fds_start + count; ++fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0) continue;
    ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    fds.push_back(fd);
  }
  return fds;
}

Result<void> notify(std::string_view state) {
  const char* path = ::getenv("NOTIFY_SOCKET");
  if (!path || !*path) return {};
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  size_t length = std::strlen(path);
  if ((path[0] != '/' && path[0] != '@') || length >= sizeof address.sun_path) {
    return Error::make(ErrorKind::invalid_argument, "NOTIFY_SOCKET `{}` is not usable", path);
  }
  std::memcpy(address.sun_path, path, length);
  if (path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::from_errno(errno, "socket");
  auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);
  if (::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
               reinterpret_cast<const sockaddr*>(&address), size) < 0) {
    return Error::from_errno(errno, "notifying `{}`", path);
  }
  return {};
}

}  // namespace rkt::sys

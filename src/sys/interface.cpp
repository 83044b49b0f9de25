#include "sys/interface.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "util/unique_fd.hpp"

namespace rkt::sys {

Result<void> set_interface_up(std::string_view name) {
  struct ifreq request {};
  if (name.empty() || name.size() >= sizeof request.ifr_name) {
    return Error::make(ErrorKind::invalid_argument, "invalid interface name \"{}\"", name);
  }
  std::memcpy(request.ifr_name, name.data(), name.size());
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) return Error::from_errno(errno, "socket for interface {}", name);
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &request) != 0) {
    return Error::from_errno(errno, "get the flags of interface {}", name);
  }
  if (request.ifr_flags & IFF_UP) return {};
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &request) != 0) {
    return Error::from_errno(errno, "bring interface {} up", name);
  }
  return {};
}

}  // namespace rkt::sys

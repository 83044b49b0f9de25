#include "sys/hostname.hpp"

#include <unistd.h>

namespace rkt::sys {

Result<void> set_hostname(std::string_view name) {
  if (::sethostname(name.data(), name.size()) != 0) {
    return Error::from_errno(errno, "set the hostname to \"{}\"", name);
  }
  return {};
}

}  // namespace rkt::sys

#include "util/error.hpp"

#include <cstring>

namespace rkt {

namespace {

ErrorKind kind_of_errno(int err) {
  switch (err) {
    case ENOENT:
      return ErrorKind::not_found;
    case EACCES:
    case EPERM:
      return ErrorKind::permission;
    case EEXIST:
    case ENOTEMPTY:
      return ErrorKind::already_exists;
    case EINVAL:
      return ErrorKind::invalid_argument;
    case EINTR:
      return ErrorKind::interrupted;
    default:
      return ErrorKind::io;
  }
}

}  // namespace

Error Error::from_errno_message(int err, std::string message) {
  return Error{kind_of_errno(err), err, std::move(message) + ": " + std::strerror(err)};
}

}  // namespace rkt

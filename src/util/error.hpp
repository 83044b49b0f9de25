#pragma once

#include <fmt/format.h>

#include <cerrno>
#include <string>
#include <utility>

namespace rkt {

/// Broad category of a failure; the CLI maps kinds to messages and exit codes.
enum class ErrorKind {
  io,
  not_found,
  invalid_argument,
  permission,
  verification_failed,
  network,
  conflict,
  already_exists,
  interrupted,
};

/// A failure with its category, the errno behind it (0 if none) and a readable message.
struct Error {
  ErrorKind kind = ErrorKind::io;
  int sys_errno = 0;
  std::string message;

  template <typename... Args>
  static Error make(ErrorKind kind, fmt::format_string<Args...> format, Args&&... args) {
    return Error{kind, 0, fmt::format(format, std::forward<Args>(args)...)};
  }

  /// "open `x`: No such file or directory", with the kind derived from the errno.
  template <typename... Args>
  static Error from_errno(int err, fmt::format_string<Args...> format, Args&&... args) {
    return from_errno_message(err, fmt::format(format, std::forward<Args>(args)...));
  }
  static Error from_errno_message(int err, std::string message);

  /// Prefixes context: "fetching x: <message>".
  template <typename... Args>
  Error wrap(fmt::format_string<Args...> format, Args&&... args) && {
    message = fmt::format(format, std::forward<Args>(args)...) + ": " + message;
    return std::move(*this);
  }
  template <typename... Args>
  Error wrap(fmt::format_string<Args...> format, Args&&... args) const& {
    Error copy = *this;
    return std::move(copy).wrap(format, std::forward<Args>(args)...);
  }
};

}  // namespace rkt

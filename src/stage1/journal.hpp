#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/unique_fd.hpp"

namespace rkt::stage1 {

/// Where journald listens for native-protocol datagrams on a host that runs it.
inline constexpr const char* k_journal_socket = "/run/systemd/journal/socket";

/// The host's journal, reached over its native protocol. Connected before the pod's root is
/// pivoted (the socket is outside the pod); absent when the host runs no journald.
class Journal {
 public:
  /// A connection to `socket_path`, or nullptr when nothing listens there.
  static std::shared_ptr<Journal> connect(const char* socket_path, std::string machine);

  /// Sends one line of an app's output: identifier = the app's name, the pod as CONTAINER_NAME
  /// (rkt-<uuid>), priority info for stdout and err for stderr. Best effort: a full or gone
  /// journal never holds the pod up.
  void send_line(std::string_view app, std::string_view line, bool is_stderr) const;

 private:
  Journal(UniqueFd fd, std::string machine) : m_fd(std::move(fd)), m_machine(std::move(machine)) {}
  UniqueFd m_fd;
  std::string m_machine;
};

}  // namespace rkt::stage1

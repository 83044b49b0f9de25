#include "stage1/journal.hpp"

#include <sys/socket.h>

#include "sys/unix_address.hpp"

namespace rkt::stage1 {

std::shared_ptr<Journal> Journal::connect(const char* socket_path, std::string machine) {
  auto address = sys::unix_address(socket_path);
  if (!address) return nullptr;
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return nullptr;
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0) {
    return nullptr;  // no journald on this host
  }
  return std::shared_ptr<Journal>(new Journal(std::move(fd), std::move(machine)));
}

void Journal::send_line(std::string_view app, std::string_view line, bool is_stderr) const {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  // Lines never hold '\n' (the supervisor splits on it), so every field fits the simple
  // KEY=VALUE form of the native protocol.
  std::string message;
  message.reserve(line.size() + app.size() + m_machine.size() + 64);
  message.append("MESSAGE=").append(line).append("\n");
  message.append("PRIORITY=").append(is_stderr ? "3" : "6").append("\n");
  message.append("SYSLOG_IDENTIFIER=").append(app).append("\n");
  message.append("CONTAINER_NAME=").append(m_machine).append("\n");
  ssize_t ignored = ::send(m_fd.get(), message.data(), message.size(), MSG_NOSIGNAL);
  (void)ignored;
}

}  // namespace rkt::stage1

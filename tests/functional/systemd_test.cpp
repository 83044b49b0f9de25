// rkt under systemd, without systemd: `rkt run` tells $NOTIFY_SOCKET READY=1 once its apps run,
// sockets passed by socket activation reach the apps with socketActivated ports, and the
// metadata service takes its sockets from socket activation.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gmock/gmock.h>

#include <cstring>
#include <fstream>
#include <thread>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// A descriptor at 200 or above, inherited across exec (bash can name it; dash cannot).
int inheritable_high_fd(int fd) {
  int high = ::fcntl(fd, F_DUPFD, 200);
  ::close(fd);
  return high;
}

/// Spawns `argv` as systemd would with socket activation: `fds` become 3, 4, ... and
/// LISTEN_FDS / LISTEN_PID are set for the process itself.
Child spawn_activated(const std::vector<std::string>& argv, const std::vector<int>& fds,
                      std::vector<std::string> env = {}) {
  std::string script;
  for (size_t i = 0; i < fds.size(); ++i) {
    script += "exec " + std::to_string(3 + i) + "<&" + std::to_string(fds[i]) + " " +
              std::to_string(fds[i]) + "<&-; ";
  }
  script += "export LISTEN_FDS=" + std::to_string(fds.size()) + " LISTEN_PID=$$; exec";
  for (const auto& arg : argv) script += " " + shell_quote(arg);
  return Child::spawn({"/bin/bash", "-c", script}, ProcOptions{.extra_env = std::move(env)});
}

int listening_tcp_socket(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::listen(fd, 16);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  port = ntohs(address.sin_port);
  return fd;
}

sockaddr_un unix_address(const fs::path& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  return address;
}

int listening_unix_socket(const fs::path& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  auto address = unix_address(path);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::listen(fd, 16);
  return fd;
}

class Systemd : public PodTest {};

TEST_F(Systemd, RunSendsReadyToNotifySocketOnceTheAppsRun) {
  const fs::path notify = ctx.scratch() / "notify.sock";
  fs::create_directories(ctx.scratch());
  int receiver = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto address = unix_address(notify);
  ASSERT_EQ(::bind(receiver, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  timeval timeout{60, 0};
  ::setsockopt(receiver, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

  const fs::path gate = ctx.scratch() / "gate";
  fs::create_directories(gate);
  fs::path uuid_file = ctx.scratch() / "uuid";
  Child rkt = ctx.spawn({"--insecure-options=image", "run", "--uuid-file-save=" + uuid_file.string(),
                         "--volume=gate,kind=host,source=" + gate.string(),
                         inspect_aci().path.string(), "--mount=volume=gate,target=/gate",
                         "--exec=/bin/sh", "--", "-c",
                         "echo NOTIFY=${NOTIFY_SOCKET:-none}; "
                         "while [ ! -e /gate/open ]; do sleep 0.1; done"},
                        ProcOptions{.extra_env = {"NOTIFY_SOCKET=" + notify.string()}});
  char message[256] = {};
  ssize_t n = ::recv(receiver, message, sizeof message - 1, 0);
  ASSERT_GT(n, 0) << "no notification";
  EXPECT_EQ(std::string(message, static_cast<size_t>(n)), "READY=1");

  // READY=1 came while the apps run: the pod is ready (its apps started), not exited.
  std::string uuid;
  std::ifstream(uuid_file) >> uuid;
  ProcResult status = ctx.run({"status", uuid});
  EXPECT_THAT(status.out, HasSubstr("state=running")) << dump(status);
  std::ofstream(gate / "open").put('\n');
  ProcResult done = rkt.wait();
  ::close(receiver);
  ASSERT_EQ(done.exit_code, 0) << dump(done);
  EXPECT_EQ(value_of(done.out, "NOTIFY"), "none");  // apps do not inherit NOTIFY_SOCKET
}

TEST_F(Systemd, SocketActivatedPortsReceiveTheSockets) {
  BuiltAci image = ctx.inspect_image(
      "example.com/activated",
      R"({"ports":[{"name":"http","protocol":"tcp","port":8080,"socketActivated":true}]})");
  int port = 0;
  int socket = inheritable_high_fd(listening_tcp_socket(port));
  std::vector<std::string> args = ctx.command(
      {"--insecure-options=image", "run", image.path.string(), "--exec=/bin/sh", "--", "-c",
       "echo FDS=$LISTEN_FDS; [ \"$LISTEN_PID\" = \"$$\" ] && echo PID=own; "
       "echo FD3=$(/bin/busybox readlink /proc/self/fd/3)",
       "---", inspect_aci().path.string(), "--name=plain", "--exec=/bin/sh", "--", "-c",
       "echo PLAIN_FDS=${LISTEN_FDS:-none}"});
  Child rkt = spawn_activated(args, {socket});
  ::close(socket);
  ProcResult r = rkt.wait();
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_THAT(r.out, HasSubstr("FDS=1")) << dump(r);
  EXPECT_THAT(r.out, HasSubstr("PID=own")) << dump(r);
  EXPECT_THAT(value_of(r.out, "FD3").value_or(""), MatchesRegex("socket:\\[[0-9]+\\]")) << dump(r);
  EXPECT_THAT(r.out, HasSubstr("PLAIN_FDS=none")) << dump(r);
}

TEST_F(Systemd, MetadataServiceTakesSocketActivatedSockets) {
  fs::create_directories(ctx.scratch());
  const fs::path socket_path = ctx.scratch() / "activated-mds.sock";
  int port = 0;
  int unix_fd = inheritable_high_fd(listening_unix_socket(socket_path));
  int tcp_fd = inheritable_high_fd(listening_tcp_socket(port));
  std::vector<std::string> env = {"RKT_METADATA_SOCKET=" + socket_path.string()};
  Child service = spawn_activated(ctx.command({"metadata-service"}), {unix_fd, tcp_fd}, env);
  ::close(unix_fd);
  ::close(tcp_fd);

  ProcResult run = run_pod({"--mds-register", "--net=host", inspect_aci().path.string(),
                            "--exec=/bin/sh", "--", "-c",
                            "echo URL=$AC_METADATA_URL; "
                            "echo UUID=$(/bin/busybox wget -q -O - "
                            "$AC_METADATA_URL/acMetadata/v1/pod/uuid)"},
                           ProcOptions{.extra_env = env});
  service.kill(SIGTERM);
  ProcResult stopped = service.wait();
  ASSERT_EQ(run.exit_code, 0) << dump(run) << dump(stopped);
  EXPECT_THAT(value_of(run.out, "URL").value_or(""),
              HasSubstr("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_TRUE(is_uuid(value_of(run.out, "UUID").value_or(""))) << dump(run);
  EXPECT_EQ(stopped.exit_code, 0) << dump(stopped);
  EXPECT_TRUE(fs::exists(socket_path)) << "a socket-activated socket is systemd's to remove";
}

}  // namespace
}  // namespace rkt::functional

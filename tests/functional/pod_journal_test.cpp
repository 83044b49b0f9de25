// Apps' output reaches the host's journal when journald runs: the test listens where journald
// would (no journald runs on the test machines) and reads what stage1 sends.

#include <gmock/gmock.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr const char* k_journal_socket = "/run/systemd/journal/socket";

/// A datagram socket bound where journald's is, removed again at the end.
class FakeJournal {
 public:
  FakeJournal() {
    fs::create_directories(fs::path(k_journal_socket).parent_path());
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, k_journal_socket);
    m_bound = ::bind(m_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  ~FakeJournal() {
    ::close(m_fd);
    if (m_bound) fs::remove(k_journal_socket);
  }
  bool bound() const { return m_bound; }
  /// Every datagram received so far.
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    char buffer[65536];
    ssize_t n;
    while ((n = ::recv(m_fd, buffer, sizeof buffer, 0)) > 0) {
      out.emplace_back(buffer, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int m_fd = -1;
  bool m_bound = false;
};

class PodJournal : public PodTest {};

TEST_F(PodJournal, AppOutputGoesToTheJournalWithPodAndAppNames) {
  ASSERT_FALSE(fs::exists(k_journal_socket))
      << "a journald runs here: this test stands in for it only on hosts without one";
  FakeJournal journal;
  ASSERT_TRUE(journal.bound());
  fs::path uuid_file = ctx.scratch_path("uuid");
  ProcResult r = run_pod({"--uuid-file-save=" + uuid_file.string(), inspect_aci().path.string(),
                          "--name=talker", "--exec=/bin/sh", "--", "-c",
                          "echo to-stdout; echo to-stderr >&2"});
  ASSERT_TRUE(Succeeded(r)) << dump(r);
  std::string uuid;
  std::ifstream(uuid_file) >> uuid;

  std::vector<std::string> messages = journal.messages();
  std::string machine = "CONTAINER_NAME=rkt-" + uuid + "\n";
  EXPECT_THAT(messages, Contains("MESSAGE=to-stdout\nPRIORITY=6\nSYSLOG_IDENTIFIER=talker\n" +
                                 machine));
  EXPECT_THAT(messages, Contains("MESSAGE=to-stderr\nPRIORITY=3\nSYSLOG_IDENTIFIER=talker\n" +
                                 machine));
  EXPECT_THAT(r.out, HasSubstr("to-stdout")) << "the terminal still gets the output";
}

}  // namespace
}  // namespace rkt::functional

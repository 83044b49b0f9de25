// rkt-machined: registers a pod with systemd-machined and unregisters it, for the stage1 (a static
// binary, which cannot load libsystemd) and for gc. A binary of its own so that libsystemd never
// loads at a start of rkt.
//
//   rkt-machined register UUID LEADER_PID ROOT_DIR
//   rkt-machined unregister UUID
//
// Exit status: 0 done, 3 no systemd-machined on the system bus (nothing done), 1 failed (one line
// on stderr).
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "machined/machine_registration.hpp"
#include "util/log.hpp"

namespace {

constexpr int k_failed = 1;
constexpr int k_usage = 2;
constexpr int k_absent = 3;

int finish(const rkt::Result<rkt::machined::Outcome>& outcome, std::string_view what) {
  if (!outcome) {
    rkt::log::warn("{}: {}", what, outcome.error().message);
    return k_failed;
  }
  return *outcome == rkt::machined::Outcome::done ? 0 : k_absent;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 4 && args[0] == "register") {
    char* end = nullptr;
    long leader = std::strtol(args[2].c_str(), &end, 10);
    if (end == args[2].c_str() || *end != '\0' || leader <= 1) return k_usage;
    return finish(rkt::machined::register_pod(args[1], static_cast<pid_t>(leader), args[3]),
                  "registering the pod with systemd-machined");
  }
  if (args.size() == 2 && args[0] == "unregister") {
    return finish(rkt::machined::unregister_pod(args[1]),
                  "unregistering the pod from systemd-machined");
  }
  rkt::log::write_line("usage: rkt-machined register UUID LEADER_PID ROOT_DIR | unregister UUID");
  return k_usage;
}

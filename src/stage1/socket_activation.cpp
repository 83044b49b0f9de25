#include "stage1/socket_activation.hpp"

#include <algorithm>
#include <cstdlib>

#include "sys/systemd.hpp"

namespace rkt::stage1 {

int pass_listen_fds(Pod& pod) {
  const int count = sys::listen_fds_count();
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDNAMES");
  if (count == 0) return 0;
  for (size_t i = 0; i < pod.apps.size() && i < pod.manifest.apps.size(); ++i) {
    const auto& app = pod.manifest.apps[i].app;
    if (app && std::any_of(app->ports.begin(), app->ports.end(),
                           [](const appc::Port& port) { return port.socket_activated; })) {
      pod.apps[i].plan.listen_fds = count;
    }
  }
  return count;
}

}  // namespace rkt::stage1

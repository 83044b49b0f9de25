#pragma once

#include "stage1/pod_apps.hpp"

namespace rkt::stage1 {

/// systemd socket activation of a pod: the sockets passed to `rkt run` (LISTEN_FDS, with
/// LISTEN_PID = this process, which `rkt run` exec'd into) go to every app that has a
/// socketActivated port, as fds 3.. with LISTEN_FDS and its own LISTEN_PID. The variables are
/// then unset here. Returns how many sockets there were.
int pass_listen_fds(Pod& pod);

}  // namespace rkt::stage1

#pragma once

// A pod as a systemd-machined machine (org.freedesktop.machine1), as rkt's stage1 registered it:
// name rkt-<uuid>, id the UUID's 16 bytes, service "rkt", class "container", leader the pod's
// PID 1, root directory the stage1 rootfs. RegisterMachine (not CreateMachine): machined takes
// the unit from the leader's cgroup, the machine-rkt\x2d<uuid>.scope the stage1 made.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace rkt::machined {

/// What a call found: done, or no machined on the system bus (nothing to do: not an error).
enum class Outcome { done, machined_absent };

/// "rkt-<uuid>".
std::string machine_name(std::string_view uuid);

/// Registers the pod. machined_absent when there is no system bus or nobody owns
/// org.freedesktop.machine1 there ($DBUS_SYSTEM_BUS_ADDRESS replaces the bus's address).
Result<Outcome> register_pod(std::string_view uuid, pid_t leader, std::string_view root);

/// Drops the pod's machine (UnregisterMachine: its processes are left alone). A machine machined
/// no longer knows is done.
Result<Outcome> unregister_pod(std::string_view uuid);

}  // namespace rkt::machined

#pragma once

#include <string>

#include "pod/pod.hpp"

namespace rkt::pod {

/// The pod's file that says the stage1 registered it with systemd-machined (until it unregisters).
inline constexpr const char* k_machine_registered_file = "machine-registered";

/// For the native stage1's --machined-helper: rkt-machined beside rkt, when a system bus may carry
/// systemd-machined ($DBUS_SYSTEM_BUS_ADDRESS set, or /run/dbus/system_bus_socket present).
/// Empty otherwise, so hosts without D-Bus never run the helper.
std::string machined_helper();

/// gc's counterpart for a pod whose stage1 could not unregister it (killed): drops its machine.
/// Failures are warnings.
void unregister_machine(const Pod& pod);

}  // namespace rkt::pod

#include "pod/machine_registration.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "sys/executable_dir.hpp"
#include "sys/process.hpp"
#include "util/log.hpp"

namespace rkt::pod {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_helper_name = "rkt-machined";
constexpr const char* k_default_system_bus = "/run/dbus/system_bus_socket";
/// rkt-machined's status when no systemd-machined is on the bus (nothing to undo).
constexpr int k_machined_absent = 3;

bool system_bus_may_exist() {
  const char* address = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
  if (address != nullptr && *address != '\0') return true;
  return ::access(k_default_system_bus, F_OK) == 0;
}

fs::path helper_path() {
  auto dir = sys::executable_dir();
  if (!dir) return {};
  fs::path helper = *dir / k_helper_name;
  return ::access(helper.c_str(), X_OK) == 0 ? helper : fs::path();
}

}  // namespace

std::string machined_helper() {
  if (!system_bus_may_exist()) return {};
  return helper_path().string();
}

void unregister_machine(const Pod& pod) {
  if (::access((pod.dir() / k_machine_registered_file).c_str(), F_OK) != 0) return;
  fs::path helper = helper_path();
  if (helper.empty()) {
    log::warn("pod \"{}\" is still registered with systemd-machined, and {} is missing", pod.uuid(),
              k_helper_name);
    return;
  }
  sys::SpawnOptions options;
  options.argv = {helper.string(), "unregister", pod.uuid()};
  options.inherit_fds = sys::InheritFds::stdio_only;
  auto pid = sys::spawn(options);
  if (!pid) {
    log::warn("unregistering pod \"{}\" from systemd-machined: {}", pod.uuid(),
              pid.error().message);
    return;
  }
  // The helper tells what failed; its status only matters to it.
  auto status = sys::wait_for_exit(*pid);
  if (status && *status != 0 && *status != k_machined_absent) {
    log::debug("{} unregister exited with {}", k_helper_name, *status);
  }
}

}  // namespace rkt::pod

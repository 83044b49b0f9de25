#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace rkt::stage1 {

/// The pod as systemd-machined's machine rkt-<uuid>, through stage0's helper (rkt-machined on the
/// host: this static binary cannot load libsystemd). Registered once the pod's PID 1 exists,
/// unregistered once it has exited (machined without systemd as PID 1 keeps a machine whose
/// leader died). `k_machine_registered_file` in the pod directory marks a registration for gc.
/// Failures are the helper's warnings: the pod runs either way, as in rkt.
class MachineRegistration {
 public:
  /// `helper` empty: no machined to tell (stage0 found no system bus); every call does nothing.
  MachineRegistration(std::string helper, std::string uuid, std::filesystem::path pod_dir);
  MachineRegistration(const MachineRegistration&) = delete;
  MachineRegistration& operator=(const MachineRegistration&) = delete;

  /// Registers `leader` (the pod's PID 1) with `root` (the stage1 rootfs).
  void register_leader(pid_t leader, const std::filesystem::path& root);
  /// Drops the machine, if registered.
  void unregister();

 private:
  /// Runs the helper with `args`; its exit status, or -1 if it could not run.
  int run_helper(const std::vector<std::string>& args) const;

  std::string m_helper;
  std::string m_uuid;
  std::filesystem::path m_marker;
  bool m_registered = false;
};

}  // namespace rkt::stage1

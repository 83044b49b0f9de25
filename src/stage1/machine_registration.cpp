#include "stage1/machine_registration.hpp"

#include <unistd.h>

#include <vector>

#include "stage1/paths.hpp"
#include "stage1/report.hpp"
#include "sys/process.hpp"
#include "util/file.hpp"

namespace rkt::stage1 {

namespace {
/// rkt-machined's status when no systemd-machined is on the bus (nothing done, nothing to undo).
constexpr int k_machined_absent = 3;
}  // namespace

MachineRegistration::MachineRegistration(std::string helper, std::string uuid,
                                         std::filesystem::path pod_dir)
    : m_helper(std::move(helper)),
      m_uuid(std::move(uuid)),
      m_marker(std::move(pod_dir) / k_machine_registered_file) {}

int MachineRegistration::run_helper(const std::vector<std::string>& args) const {
  sys::SpawnOptions options;
  options.argv = {m_helper};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.inherit_fds = sys::InheritFds::stdio_only;
  auto pid = sys::spawn(options);
  if (!pid) {
    report("warning: systemd-machined: {}", pid.error().message);
    return -1;
  }
  auto status = sys::wait_for_exit(*pid);
  return status ? *status : -1;
}

void MachineRegistration::register_leader(pid_t leader, const std::filesystem::path& root) {
  if (m_helper.empty()) return;
  // Marked first: a stage1 killed right after the call still leaves gc something to undo.
  if (auto marked = util::write_file_atomic(m_marker, "", 0644, util::Durability::no_fsync);
      !marked) {
    report("warning: {}", marked.error().message);
    return;
  }
  m_registered = run_helper({"register", m_uuid, std::to_string(leader), root.string()}) == 0;
  if (!m_registered) ::unlink(m_marker.c_str());
  debug("systemd-machined registration of rkt-{}: {}", m_uuid, m_registered ? "done" : "not done");
}

void MachineRegistration::unregister() {
  if (!m_registered) return;
  int status = run_helper({"unregister", m_uuid});
  if (status == 0 || status == k_machined_absent) ::unlink(m_marker.c_str());
  m_registered = false;
}

}  // namespace rkt::stage1

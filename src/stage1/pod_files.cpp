#include "stage1/pod_files.hpp"

#include <unistd.h>

#include <string>

#include "util/file.hpp"

namespace rkt::stage1 {

Result<void> write_app_status(const fs::path& status_dir, std::string_view app, int status) {
  return util::write_file_atomic(status_dir / app, std::to_string(status), 0644,
                                 util::Durability::no_fsync);
}

Result<void> write_pid_file(const fs::path& path, pid_t pid) {
  return util::write_file_atomic(path, std::to_string(pid), 0644, util::Durability::no_fsync);
}

Result<void> mark_supervisor_ready(const fs::path& supervisor_status) {
  fs::path tmp = supervisor_status;
  tmp += ".tmp";
  ::unlink(tmp.c_str());
  if (::symlink("ready", tmp.c_str()) != 0) {
    return Error::from_errno(errno, "symlink `{}`", tmp.string());
  }
  if (::rename(tmp.c_str(), supervisor_status.c_str()) != 0) {
    return Error::from_errno(errno, "rename `{}`", supervisor_status.string());
  }
  return {};
}

std::string fallback_hosts(std::string_view hostname) {
  std::string host(hostname);
  return "127.0.0.1\tlocalhost localhost.localdomain " + host + "\n" +
         "::1\tlocalhost localhost.localdomain ip6-localhost ip6-loopback " + host + "\n";
}

}  // namespace rkt::stage1

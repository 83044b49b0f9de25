#include "net/netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace rkt::net {

fs::path pod_netns_path(std::string_view uuid) {
  return fs::path(k_netns_dir) / ("rkt-" + std::string(uuid));
}

Result<void> create_netns(const fs::path& path) {
  RKT_TRY(util::make_dirs(path.parent_path()));
  {
    UniqueFd file(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
    if (!file) return Error::from_errno(errno, "create `{}`", path.string());
  }
  // A child unshares and binds its namespace onto the file; the parent keeps its own network.
  const char* target = path.c_str();
  pid_t child = ::fork();
  if (child < 0) return Error::from_errno(errno, "fork");
  if (child == 0) {
    if (::unshare(CLONE_NEWNET) != 0) ::_exit(1);
    if (::mount("/proc/self/ns/net", target, nullptr, MS_BIND, nullptr) != 0) ::_exit(2);
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ::unlink(path.c_str());
    const char* step = WIFEXITED(status) && WEXITSTATUS(status) == 1 ? "unshare" : "bind-mount";
    return Error::make(ErrorKind::io, "creating network namespace `{}`: {} failed", path.string(),
                       step);
  }
  return {};
}

Result<void> remove_netns(const fs::path& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    return Error::from_errno(errno, "unmount `{}`", path.string());
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Error::from_errno(errno, "remove `{}`", path.string());
  }
  return {};
}

}  // namespace rkt::net

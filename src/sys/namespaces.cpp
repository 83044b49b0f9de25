#include "sys/namespaces.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include <string>

namespace rkt::sys {

const char* namespace_name(Namespace ns) {
  switch (ns) {
    case Namespace::mount:
      return "mnt";
    case Namespace::uts:
      return "uts";
    case Namespace::ipc:
      return "ipc";
    case Namespace::net:
      return "net";
    case Namespace::pid:
      return "pid";
    case Namespace::user:
      return "user";
    case Namespace::cgroup:
      return "cgroup";
  }
  return "?";
}

int namespace_clone_flag(Namespace ns) {
  switch (ns) {
    case Namespace::mount:
      return CLONE_NEWNS;
    case Namespace::uts:
      return CLONE_NEWUTS;
    case Namespace::ipc:
      return CLONE_NEWIPC;
    case Namespace::net:
      return CLONE_NEWNET;
    case Namespace::pid:
      return CLONE_NEWPID;
    case Namespace::user:
      return CLONE_NEWUSER;
    case Namespace::cgroup:
      return CLONE_NEWCGROUP;
  }
  return 0;
}

namespace {

std::string names_of(const std::vector<Namespace>& namespaces) {
  std::string names;
  for (auto ns : namespaces) {
    if (!names.empty()) names += ',';
    names += namespace_name(ns);
  }
  return names;
}

std::string ns_path(pid_t pid, Namespace ns, bool self = false) {
  return (self ? std::string("/proc/self") : "/proc/" + std::to_string(pid)) + "/ns/" +
         namespace_name(ns);
}

}  // namespace

Result<void> unshare_namespaces(const std::vector<Namespace>& namespaces) {
  int flags = 0;
  for (auto ns : namespaces) flags |= namespace_clone_flag(ns);
  if (::unshare(flags) != 0) {
    return Error::from_errno(errno, "unshare namespaces ({})", names_of(namespaces));
  }
  return {};
}

Result<UniqueFd> open_namespace(pid_t pid, Namespace ns) {
  std::string path = ns_path(pid, ns);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", path);
  return fd;
}

Result<void> join_namespace(const UniqueFd& fd, Namespace ns) {
  if (::setns(fd.get(), namespace_clone_flag(ns)) != 0) {
    return Error::from_errno(errno, "join the {} namespace", namespace_name(ns));
  }
  return {};
}

Result<bool> same_namespace(pid_t pid, Namespace ns) {
  struct stat theirs {};
  struct stat ours {};
  std::string path = ns_path(pid, ns);
  if (::stat(path.c_str(), &theirs) != 0) return Error::from_errno(errno, "stat `{}`", path);
  std::string self = ns_path(0, ns, true);
  if (::stat(self.c_str(), &ours) != 0) return Error::from_errno(errno, "stat `{}`", self);
  return theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev;
}

Result<void> join_namespaces_of(pid_t pid, const std::vector<Namespace>& namespaces) {
  std::vector<std::pair<Namespace, UniqueFd>> to_join;
  for (auto ns : namespaces) {
    RKT_TRY_ASSIGN(bool same, same_namespace(pid, ns));
    if (same) continue;
    RKT_TRY_ASSIGN(auto fd, open_namespace(pid, ns));
    to_join.emplace_back(ns, std::move(fd));
  }
  for (auto& [ns, fd] : to_join) {
    if (auto joined = join_namespace(fd, ns); !joined) {
      return std::move(joined).error().wrap("joining the namespaces of process {}", pid);
    }
  }
  return {};
}

}  // namespace rkt::sys

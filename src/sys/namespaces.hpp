#pragma once

#include <sys/types.h>

#include <vector>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::sys {

/// Linux namespace types, named as in /proc/<pid>/ns/.
enum class Namespace { mount, uts, ipc, net, pid, user, cgroup };

/// "mnt", "uts", ... : the entry name under /proc/<pid>/ns/.
const char* namespace_name(Namespace ns);
/// The CLONE_NEW* flag of a namespace type.
int namespace_clone_flag(Namespace ns);

/// unshare(2) of the given namespace types at once.
Result<void> unshare_namespaces(const std::vector<Namespace>& namespaces);
/// Opens /proc/<pid>/ns/<ns> for a later join.
Result<UniqueFd> open_namespace(pid_t pid, Namespace ns);
/// setns(2) into a namespace opened with open_namespace.
Result<void> join_namespace(const UniqueFd& fd, Namespace ns);
/// Whether `pid` lives in the same namespace of this type as the caller (compares the ns inodes).
Result<bool> same_namespace(pid_t pid, Namespace ns);
/// Joins the namespaces of `pid` in the given order, skipping those the caller already shares;
/// all are opened first, so joining the mount namespace does not hide the others. Joining a PID
/// namespace affects only children forked afterwards.
Result<void> join_namespaces_of(pid_t pid, const std::vector<Namespace>& namespaces);

}  // namespace rkt::sys

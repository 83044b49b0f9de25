#include "sys/user_namespace.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "util/file.hpp"

namespace rkt::sys {

namespace {

Result<uint32_t> parse_u32(std::string_view text, std::string_view whole) {
  uint32_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return Error::make(ErrorKind::invalid_argument, "invalid ID range \"{}\"", whole);
  }
  return value;
}

/// /proc/<pid>/ns/<name>; the PID namespace a process's children get is `pid_for_children`.
std::string owned_ns_path(pid_t pid, Namespace ns) {
  std::string name = ns == Namespace::pid ? "pid_for_children" : namespace_name(ns);
  return fmt::format("/proc/{}/ns/{}", pid, name);
}

Result<UniqueFd> open_path(const std::string& path, int flags) {
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", path);
  return fd;
}

Result<void> write_maps(pid_t pid, const IdRange& range) {
  const std::string line = id_map_line(range);
  for (const char* map : {"uid_map", "gid_map"}) {
    std::string path = fmt::format("/proc/{}/{}", pid, map);
    RKT_TRY_ASSIGN(UniqueFd fd, open_path(path, O_WRONLY));
    if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      return Error::from_errno(errno, "writing `{}` to `{}`", line.substr(0, line.size() - 1),
                               path);
    }
  }
  return {};
}

/// The helper: unshares, reports its errno (0: done) and waits until the parent closes `go`
/// (its own copy of the write end goes first, or it would wait for itself).
[[noreturn]] void helper_main(int flags, int report_fd, int go_fd, int go_write_fd) {
  ::close(go_write_fd);
  int failure = ::unshare(flags) == 0 ? 0 : errno;
  ssize_t ignored = ::write(report_fd, &failure, sizeof failure);
  (void)ignored;
  char byte = 0;
  while (::read(go_fd, &byte, 1) < 0 && errno == EINTR) {
  }
  ::_exit(0);
}

/// Reaps the helper when the parent is done with it (closing `go` lets it exit).
struct Helper {
  pid_t pid = -1;
  UniqueFd go;
  ~Helper() {
    go.reset();
    if (pid > 0) {
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }
};

}  // namespace

bool IdRange::overlaps(const IdRange& other) const {
  uint64_t end = uint64_t{base} + count;
  uint64_t other_end = uint64_t{other.base} + other.count;
  return base < other_end && other.base < end;
}

std::string format_id_range(const IdRange& range) {
  return fmt::format("{}:{}", range.base, range.count);
}

Result<IdRange> parse_id_range(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Error::make(ErrorKind::invalid_argument, "invalid ID range \"{}\" (want BASE:COUNT)",
                       text);
  }
  IdRange range;
  RKT_TRY_ASSIGN(range.base, parse_u32(text.substr(0, colon), text));
  RKT_TRY_ASSIGN(range.count, parse_u32(text.substr(colon + 1), text));
  if (range.count == 0 ||
      uint64_t{range.base} + range.count > std::numeric_limits<uint32_t>::max()) {
    return Error::make(ErrorKind::invalid_argument, "invalid ID range \"{}\"", text);
  }
  return range;
}

std::string id_map_line(const IdRange& range) {
  return fmt::format("0 {} {}\n", range.base, range.count);
}

Result<UserNamespace> create_user_namespace(const IdRange& range,
                                            const std::vector<Namespace>& owned) {
  int flags = CLONE_NEWUSER;
  for (Namespace ns : owned) flags |= namespace_clone_flag(ns);
  int report[2];
  int go[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return Error::from_errno(errno, "pipe");
  UniqueFd report_in(report[0]);
  UniqueFd report_out(report[1]);
  if (::pipe2(go, O_CLOEXEC) != 0) return Error::from_errno(errno, "pipe");
  UniqueFd go_in(go[0]);
  Helper helper;
  helper.go.reset(go[1]);
  helper.pid = ::fork();
  if (helper.pid < 0) return Error::from_errno(errno, "fork");
  if (helper.pid == 0) helper_main(flags, report_out.get(), go_in.get(), helper.go.get());
  report_out.reset();
  go_in.reset();
  int failure = 0;
  if (::read(report_in.get(), &failure, sizeof failure) != sizeof failure) {
    return Error::make(ErrorKind::io, "the user namespace helper died");
  }
  if (failure != 0) return Error::from_errno(failure, "unshare a user namespace");
  // From the parent user namespace: only a process there may map IDs other than its own.
  RKT_TRY(write_maps(helper.pid, range));
  UserNamespace made;
  RKT_TRY_ASSIGN(made.user, open_path(owned_ns_path(helper.pid, Namespace::user), O_RDONLY));
  for (Namespace ns : owned) {
    RKT_TRY_ASSIGN(UniqueFd fd, open_path(owned_ns_path(helper.pid, ns), O_RDONLY));
    made.owned.emplace_back(ns, std::move(fd));
  }
  return made;
}

Result<void> become_root_of(const UniqueFd& user_namespace) {
  if (::setns(user_namespace.get(), CLONE_NEWUSER) != 0) {
    return Error::from_errno(errno, "join the user namespace");
  }
  if (::setgroups(0, nullptr) != 0) return Error::from_errno(errno, "setgroups");
  if (::setresgid(0, 0, 0) != 0) return Error::from_errno(errno, "setresgid 0");
  if (::setresuid(0, 0, 0) != 0) return Error::from_errno(errno, "setresuid 0");
  return {};
}

}  // namespace rkt::sys

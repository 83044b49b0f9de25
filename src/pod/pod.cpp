#include "pod/pod.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "pod/pod_lock.hpp"
#include "pod/uuid.hpp"

namespace rkt::pod {

namespace {

/// A lookup that raced with a rename is retried; more than a few races in a row means something
/// is renaming the pod back and forth, which nothing legitimate does.
constexpr int k_load_attempts = 8;

struct Found {
  StateDir dir;
  UniqueFd fd;
};

/// The first state directory (in rkt's order) holding `uuid`, opened; nullopt if none does.
Result<std::optional<Found>> open_first(const PodsDir& pods, std::string_view uuid) {
  for (StateDir dir : k_state_dirs) {
    auto path = pods.pod_dir(dir, uuid);
    auto fd = open_pod_dir(path);
    if (fd) return std::optional<Found>(Found{dir, std::move(*fd)});
    if (fd.error().sys_errno != ENOENT) return std::move(fd).error();
  }
  return std::optional<Found>();
}

/// Whether `path` still names the directory open as `fd` (it was not renamed meanwhile).
bool still_there(const std::filesystem::path& path, int fd) {
  struct stat by_path {
  }, by_fd{};
  if (::stat(path.c_str(), &by_path) != 0 || ::fstat(fd, &by_fd) != 0) return false;
  return by_path.st_dev == by_fd.st_dev && by_path.st_ino == by_fd.st_ino;
}

/// Embryo and prepared pods carry no meaning in their lock (rkt does not probe them).
bool lock_matters(StateDir dir) {
  return dir != StateDir::embryo && dir != StateDir::prepared;
}

}  // namespace

Pod::Pod(PodsDir pods, std::string uuid, StateDir dir, PodState state, UniqueFd fd)
    : m_pods(std::move(pods)),
      m_uuid(std::move(uuid)),
      m_state_dir(dir),
      m_state(state),
      m_paths(m_pods.pod_dir(dir, m_uuid)),
      m_dir_fd(std::move(fd)) {}

Result<Pod> Pod::load(const PodsDir& pods, std::string_view uuid) {
  RKT_TRY_ASSIGN(auto canonical, parse_uuid(uuid));
  for (int attempt = 0; attempt < k_load_attempts; ++attempt) {
    RKT_TRY_ASSIGN(auto found, open_first(pods, canonical));
    if (!found) return Error::make(ErrorKind::not_found, "pod \"{}\" not found", canonical);
    bool locked = false;
    if (lock_matters(found->dir)) {
      auto probe = is_pod_locked(found->fd.get());
      if (!probe) return std::move(probe).error().wrap("pod \"{}\"", canonical);
      locked = *probe;
    }
    // The lock we probed must be the lock of the directory we derive the state from.
    if (!still_there(pods.pod_dir(found->dir, canonical), found->fd.get())) continue;
    return Pod(pods, canonical, found->dir, derive_state(found->dir, locked), std::move(found->fd));
  }
  return Error::make(ErrorKind::conflict, "pod \"{}\" keeps moving between states", canonical);
}

Result<Pod> Pod::find(const PodsDir& pods, std::string_view uuid_or_prefix) {
  RKT_TRY_ASSIGN(auto uuid, resolve_uuid(pods, uuid_or_prefix));
  return load(pods, uuid);
}

Result<void> Pod::refresh() {
  RKT_TRY_ASSIGN(auto fresh, load(m_pods, m_uuid));
  *this = std::move(fresh);
  return {};
}

Result<util::LockFile> Pod::lock(util::LockMode mode, util::LockWait wait) const {
  auto lock = lock_pod_dir_fd(m_dir_fd.get(), mode, wait);
  if (!lock) return std::move(lock).error().wrap("locking pod \"{}\"", m_uuid);
  return lock;
}

}  // namespace rkt::pod

#include "pod/pod_delete.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "net/pod_network.hpp"
#include "pod/id_ranges.hpp"
#include "pod/machine_registration.hpp"
#include "pod/mds_registration.hpp"
#include "pod/pod_entrypoint.hpp"
#include "pod/pod_mounts.hpp"
#include "pod/prepare.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace rkt::pod {

namespace fs = std::filesystem;

namespace {

Result<void> remove_entry_at(int parent_fd, const char* name, dev_t dev, const fs::path& shown);

/// Empties the directory open as `dir_fd` (which this function consumes).
Result<void> empty_dir(UniqueFd dir_fd, dev_t dev, const fs::path& shown) {
  std::unique_ptr<DIR, int (*)(DIR*)> stream(::fdopendir(dir_fd.get()), &::closedir);
  if (!stream) return Error::from_errno(errno, "opendir `{}`", shown.string());
  dir_fd.release();  // the DIR owns it now
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(stream.get())) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  for (const auto& name : names) {
    RKT_TRY(remove_entry_at(::dirfd(stream.get()), name.c_str(), dev, shown / name));
  }
  return {};
}

Result<void> remove_entry_at(int parent_fd, const char* name, dev_t dev, const fs::path& shown) {
  struct stat st {};
  if (::fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return {};
    return Error::from_errno(errno, "stat `{}`", shown.string());
  }
  if (S_ISDIR(st.st_mode)) {
    if (st.st_dev != dev) {
      return Error::make(ErrorKind::conflict, "`{}` is a mount point; not removing it",
                         shown.string());
    }
    constexpr int k_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd fd(::openat(parent_fd, name, k_flags));
    if (!fd && errno == EACCES && ::fchmodat(parent_fd, name, 0700, 0) == 0) {
      fd.reset(::openat(parent_fd, name, k_flags));  // e.g. overlayfs's 000 work/work dir
    }
    if (!fd) return Error::from_errno(errno, "open `{}`", shown.string());
    RKT_TRY(empty_dir(std::move(fd), dev, shown));
  }
  if (::unlinkat(parent_fd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0 && errno != ENOENT) {
    return Error::from_errno(errno, "remove `{}`", shown.string());
  }
  return {};
}

/// Runs the pod's stage1 gc entrypoint; a pod without a stage1 has nothing to release.
void run_stage1_gc(const Pod& pod, const DeleteOptions& options) {
  auto entrypoint = find_stage1_entrypoint(pod.paths(), k_stage1_gc_annotation);
  if (!entrypoint) {
    log::debug("skipping stage1 gc of pod \"{}\": {}", pod.uuid(), entrypoint.error().message);
    return;
  }
  std::vector<std::string> args;
  if (options.debug) args.push_back("--debug");
  if (!options.local_config.empty() && entrypoint->interface_version >= 5) {
    args.push_back("--local-config=" + options.local_config);
  }
  args.push_back(pod.uuid());
  // The gc entrypoint's chatter must not mix with gc's own report on stdout.
  auto status = run_stage1_entrypoint(pod.paths(), *entrypoint, args, EntrypointStdout::to_stderr);
  if (!status) {
    log::warn("problem performing stage1 GC on \"{}\": {}", pod.uuid(), status.error().message);
  } else if (*status != 0) {
    log::warn("problem performing stage1 GC on \"{}\": exit status {}", pod.uuid(), *status);
  }
}

fs::path canonical_or_self(const fs::path& path) {
  std::error_code ec;
  auto canonical = fs::canonical(path, ec);
  return ec ? path : canonical;
}

/// The pod directory's content: stage1/rootfs (the bulk) first, `pod` last, then the directory.
Result<void> remove_pod_dir(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd)
    return errno == ENOENT ? Result<void>() : Error::from_errno(errno, "open `{}`", dir.string());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error::from_errno(errno, "stat `{}`", dir.string());
  RKT_TRY(remove_entry_at(fd.get(), "stage1/rootfs", st.st_dev, dir / "stage1/rootfs"));
  std::unique_ptr<DIR, int (*)(DIR*)> stream(::fdopendir(fd.get()), &::closedir);
  if (!stream) return Error::from_errno(errno, "opendir `{}`", dir.string());
  fd.release();  // the DIR owns it now
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(stream.get())) {
    std::string_view name = entry->d_name;
    if (name != "." && name != ".." && name != "pod") names.emplace_back(name);
  }
  names.emplace_back("pod");
  for (const auto& name : names) {
    RKT_TRY(remove_entry_at(::dirfd(stream.get()), name.c_str(), st.st_dev, dir / name));
  }
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) {
    return Error::from_errno(errno, "remove `{}`", dir.string());
  }
  return {};
}

}  // namespace

Result<void> remove_tree(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return Error::from_errno(errno, "stat `{}`", path.string());
  }
  return remove_entry_at(AT_FDCWD, path.c_str(), st.st_dev, path);
}

Result<void> delete_pod(const Pod& pod, const DeleteOptions& options) {
  if (pod.state_dir() != StateDir::exited_garbage && pod.state_dir() != StateDir::garbage) {
    return Error::make(ErrorKind::conflict, "pod \"{}\" is not garbage (state \"{}\")", pod.uuid(),
                       state_name(pod.state()));
  }
  // CNI DEL needs the namespace that the teardown removes last; rkt's stage1 gc did this.
  if (auto released = net::teardown_pod_network(pod.dir(), pod.uuid()); !released) {
    log::warn("problem releasing the networks of pod \"{}\": {}", pod.uuid(),
              released.error().message);
  }
  if (pod.state_dir() == StateDir::exited_garbage) run_stage1_gc(pod, options);
  unregister_from_metadata_service(pod);
  unregister_machine(pod);
  auto dir = canonical_or_self(pod.dir());
  auto unmounted = unmount_all_under(dir);
  if (!unmounted) return std::move(unmounted).error().wrap("pod \"{}\"", pod.uuid());
  // Read before the files go: the range stays claimed until nothing of the pod is left.
  auto range = recorded_id_range(pod.paths());
  auto removed = remove_pod_dir(dir);
  if (!removed) return std::move(removed).error().wrap("removing pod \"{}\"", pod.uuid());
  if (range && *range) {
    IdRangeRegistry registry(pod.pods_dir().id_ranges());
    log::warn_and_drop(registry.release(**range, pod.uuid()));
  }
  return {};
}

}  // namespace rkt::pod

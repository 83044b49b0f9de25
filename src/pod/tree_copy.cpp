#include "pod/tree_copy.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "util/unique_fd.hpp"

namespace rkt::pod {

namespace fs = std::filesystem;

namespace {

/// Paths already copied of files with several links, to link them again rather than copy.
using LinkMap = std::map<std::pair<dev_t, ino_t>, fs::path>;

/// What one copy carries along: the hard links seen so far and the owner shift.
struct CopyState {
  LinkMap links;
  std::optional<sys::IdRange> shift;
};

Result<uint32_t> shifted_id(uint32_t id, const sys::IdRange& range, const fs::path& path) {
  if (id >= range.count) {
    return Error::make(ErrorKind::invalid_argument,
                       "`{}`: owner {} does not fit the pod's ID range {}", path.string(), id,
                       sys::format_id_range(range));
  }
  return range.outside(id);
}

Result<std::pair<uid_t, gid_t>> owner_for(const struct stat& st,
                                          const std::optional<sys::IdRange>& shift,
                                          const fs::path& path) {
  if (!shift) return std::pair{st.st_uid, st.st_gid};
  RKT_TRY_ASSIGN(uint32_t uid, shifted_id(st.st_uid, *shift, path));
  RKT_TRY_ASSIGN(uint32_t gid, shifted_id(st.st_gid, *shift, path));
  return std::pair{static_cast<uid_t>(uid), static_cast<gid_t>(gid)};
}

Result<void> copy_xattrs(const fs::path& from, const fs::path& to) {
  ssize_t size = ::llistxattr(from.c_str(), nullptr, 0);
  if (size < 0) {
    if (errno == ENOTSUP) return {};
    return Error::from_errno(errno, "listing attributes of `{}`", from.string());
  }
  std::vector<char> names(static_cast<size_t>(size));
  size = ::llistxattr(from.c_str(), names.data(), names.size());
  if (size < 0) return Error::from_errno(errno, "listing attributes of `{}`", from.string());
  for (const char* name = names.data(); name < names.data() + size; name += strlen(name) + 1) {
    ssize_t length = ::lgetxattr(from.c_str(), name, nullptr, 0);
    if (length < 0) continue;
    std::string value(static_cast<size_t>(length), '\0');
    length = ::lgetxattr(from.c_str(), name, value.data(), value.size());
    if (length < 0) continue;
    if (::lsetxattr(to.c_str(), name, value.data(), static_cast<size_t>(length), 0) != 0 &&
        errno != ENOTSUP && errno != EPERM) {
      return Error::from_errno(errno, "setting attribute {} on `{}`", name, to.string());
    }
  }
  return {};
}

/// Owner, then mode (chown clears setuid bits), then attributes (chown clears file
/// capabilities too), then times.
Result<void> copy_metadata(const fs::path& from, const fs::path& to, const struct stat& st,
                           const CopyState& state) {
  RKT_TRY_ASSIGN(auto owner, owner_for(st, state.shift, from));
  if (::lchown(to.c_str(), owner.first, owner.second) != 0) {
    return Error::from_errno(errno, "chown `{}`", to.string());
  }
  if (!S_ISLNK(st.st_mode) && ::chmod(to.c_str(), st.st_mode & 07777) != 0) {
    return Error::from_errno(errno, "chmod `{}`", to.string());
  }
  if (!S_ISLNK(st.st_mode)) RKT_TRY(copy_xattrs(from, to));
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(AT_FDCWD, to.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    return Error::from_errno(errno, "setting times of `{}`", to.string());
  }
  return {};
}

Result<void> copy_content(const fs::path& from, const fs::path& to) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!in) return Error::from_errno(errno, "open `{}`", from.string());
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!out) return Error::from_errno(errno, "create `{}`", to.string());
  bool use_range = true;
  char buffer[64 * 1024];
  while (true) {
    ssize_t n = -1;
    if (use_range) {
      n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, 1 << 30, 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        use_range = false;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error::from_errno(errno, "copying `{}`", from.string());
      if (n == 0) return {};
      continue;
    }
    n = ::read(in.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "read `{}`", from.string());
    if (n == 0) return {};
    for (ssize_t done = 0; done < n;) {
      ssize_t written = ::write(out.get(), buffer + done, static_cast<size_t>(n - done));
      if (written < 0 && errno == EINTR) continue;
      if (written < 0) return Error::from_errno(errno, "write `{}`", to.string());
      done += written;
    }
  }
}

Result<void> copy_entry(const fs::path& from, const fs::path& to, CopyState& state);

Result<void> copy_directory(const fs::path& from, const fs::path& to, const struct stat& st,
                            CopyState& state) {
  if (::mkdir(to.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error::from_errno(errno, "mkdir `{}`", to.string());
  }
  DIR* dir = ::opendir(from.c_str());
  if (!dir) return Error::from_errno(errno, "opendir `{}`", from.string());
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  for (const auto& name : names) RKT_TRY(copy_entry(from / name, to / name, state));
  return copy_metadata(from, to, st, state);
}

Result<void> copy_non_directory(const fs::path& from, const fs::path& to, const struct stat& st,
                                CopyState& state) {
  const auto key = std::pair{st.st_dev, st.st_ino};
  if (st.st_nlink > 1) {
    if (auto it = state.links.find(key); it != state.links.end()) {
      if (::link(it->second.c_str(), to.c_str()) != 0) {
        return Error::from_errno(errno, "link `{}`", to.string());
      }
      return {};
    }
  }
  if (S_ISREG(st.st_mode)) {
    RKT_TRY(copy_content(from, to));
  } else if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    fs::path target = fs::read_symlink(from, ec);
    if (ec) return Error::from_errno(ec.value(), "readlink `{}`", from.string());
    if (::symlink(target.c_str(), to.c_str()) != 0) {
      return Error::from_errno(errno, "symlink `{}`", to.string());
    }
  } else if (::mknod(to.c_str(), st.st_mode, st.st_rdev) != 0) {
    return Error::from_errno(errno, "mknod `{}`", to.string());
  }
  RKT_TRY(copy_metadata(from, to, st, state));
  if (st.st_nlink > 1) state.links.emplace(key, to);
  return {};
}

Result<void> copy_entry(const fs::path& from, const fs::path& to, CopyState& state) {
  struct stat st {};
  if (::lstat(from.c_str(), &st) != 0) return Error::from_errno(errno, "lstat `{}`", from.string());
  if (S_ISDIR(st.st_mode)) return copy_directory(from, to, st, state);
  return copy_non_directory(from, to, st, state);
}

}  // namespace

Result<void> copy_tree(const fs::path& from, const fs::path& to,
                       const std::optional<sys::IdRange>& shift) {
  CopyState state{{}, shift};
  auto copied = copy_entry(from, to, state);
  if (!copied) return std::move(copied).error().wrap("copying `{}`", from.string());
  return {};
}

Result<void> shift_owner(const fs::path& path, const sys::IdRange& range) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return Error::from_errno(errno, "lstat `{}`", path.string());
  sys::IdRange owner_ids{static_cast<uint32_t>(st.st_uid), 1};
  if (range.overlaps(owner_ids)) return {};  // shifted already (e.g. by copy_tree)
  RKT_TRY_ASSIGN(auto owner, owner_for(st, range, path));
  if (::lchown(path.c_str(), owner.first, owner.second) != 0) {
    return Error::from_errno(errno, "chown `{}`", path.string());
  }
  // chown clears setuid/setgid bits of non-directories; directories keep their mode.
  if (!S_ISLNK(st.st_mode) && ::chmod(path.c_str(), st.st_mode & 07777) != 0) {
    return Error::from_errno(errno, "chmod `{}`", path.string());
  }
  return {};
}

}  // namespace rkt::pod

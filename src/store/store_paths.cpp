#include "store/store_paths.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "util/file.hpp"

namespace rkt::store {

StorePaths::StorePaths(fs::path dir)
    : data_dir(std::move(dir)),
      cas(data_dir / "cas"),
      db_dir(cas / "db"),
      db_file(db_dir / "index.sqlite3"),
      blob_dir(cas / "blob"),
      blob_sha512(blob_dir / "sha512"),
      tmp(cas / "tmp"),
      tree(cas / "tree"),
      image_locks(cas / "imagelocks"),
      locks(data_dir / "locks") {}

fs::path StorePaths::blob_path(std::string_view key) const {
  // key = "sha512-<hex>": the fan-out dir is the first two hex digits.
  std::string_view hex = key.substr(std::min(key.size(), std::string_view("sha512-").size()));
  return blob_sha512 / std::string(hex.substr(0, 2)) / std::string(key);
}

fs::path StorePaths::image_lock(std::string_view key) const {
  return image_locks / std::string(key);
}

std::optional<gid_t> store_group() {
  std::array<char, 16384> buffer{};
  group entry{};
  group* found = nullptr;
  if (::getgrnam_r(k_store_group, &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return std::nullopt;
  }
  return found->gr_gid;
}

Error store_permission_error(int err, std::string_view action, const fs::path& path) {
  Error e = Error::from_errno(err, "{} `{}`", action, path.string());
  e.kind = ErrorKind::permission;
  e.message += " (are you in the rkt group?)";
  return e;
}

Result<void> make_store_dir(const fs::path& path, mode_t mode, std::optional<gid_t> gid) {
  if (::mkdir(path.c_str(), mode & 0777) != 0) {
    if (errno == EEXIST) {
      if (util::is_dir(path)) return {};
      return Error::make(ErrorKind::io, "`{}` exists and is not a directory", path.string());
    }
    if (errno == EACCES || errno == EPERM || errno == EROFS) {
      return store_permission_error(errno, "creating", path);
    }
    return Error::from_errno(errno, "mkdir `{}`", path.string());
  }
  // chown before chmod: changing the group may clear the setgid bit. Both are best effort for
  // a non-root user (the setgid parent already gives the right group).
  if (gid && ::chown(path.c_str(), static_cast<uid_t>(-1), *gid) != 0 && errno != EPERM) {
    return Error::from_errno(errno, "chgrp `{}`", path.string());
  }
  // mkdir applies the umask and ignores the setgid bit; the store needs exactly `mode`.
  if (::chmod(path.c_str(), mode) != 0)
    return Error::from_errno(errno, "chmod `{}`", path.string());
  return {};
}

Result<void> prepare_store_layout(const StorePaths& paths) {
  const auto gid = store_group();
  if (!util::is_dir(paths.data_dir) && paths.data_dir.has_parent_path()) {
    if (auto r = util::make_dirs(paths.data_dir.parent_path(), 0755); !r) {
      if (r.error().sys_errno == EACCES) {
        return store_permission_error(EACCES, "creating", paths.data_dir.parent_path());
      }
      return r;
    }
  }
  const std::array<std::pair<const fs::path*, mode_t>, 9> dirs{{
      {&paths.data_dir, k_data_dir_mode},
      {&paths.cas, k_cas_dir_mode},
      {&paths.db_dir, k_cas_dir_mode},
      {&paths.blob_dir, k_cas_dir_mode},
      {&paths.blob_sha512, k_cas_dir_mode},
      {&paths.tmp, k_cas_dir_mode},
      {&paths.tree, k_tree_dir_mode},
      {&paths.image_locks, k_cas_dir_mode},
      {&paths.locks, k_locks_dir_mode},
  }};
  for (const auto& [path, mode] : dirs) {
    RKT_TRY(make_store_dir(*path, mode, gid));
  }
  // Writers need all of these; checking up front gives one clear message instead of a failure
  // half-way through an import.
  for (const fs::path* path : {&paths.db_dir, &paths.blob_sha512, &paths.tmp, &paths.image_locks}) {
    if (::access(path->c_str(), W_OK | X_OK) != 0) {
      return store_permission_error(errno, "cannot write to", *path);
    }
  }
  return {};
}

}  // namespace rkt::store

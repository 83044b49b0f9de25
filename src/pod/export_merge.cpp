#include "pod/export_merge.hpp"

#include <dirent.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <set>

namespace rkt::pod {

namespace fs = std::filesystem;

namespace {

/// The value of overlay xattr `name` ("opaque", "redirect", "whiteout") in either namespace.
std::optional<std::string> overlay_xattr(const fs::path& path, const char* name) {
  for (const char* ns : {"trusted.overlay.", "user.overlay."}) {
    std::string key = std::string(ns) + name;
    char value[4096];
    ssize_t n = ::lgetxattr(path.c_str(), key.c_str(), value, sizeof value);
    if (n >= 0) return std::string(value, static_cast<size_t>(n));
  }
  return std::nullopt;
}

Result<std::set<std::string>> list_dir(const fs::path& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> stream(::opendir(dir.c_str()), &::closedir);
  if (!stream) return Error::from_errno(errno, "opendir `{}`", dir.string());
  std::set<std::string> names;
  while (const dirent* entry = ::readdir(stream.get())) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace(name);
  }
  return names;
}

std::optional<struct stat> lstat_of(const fs::path& path) {
  struct stat st {};
  if (path.empty() || ::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return st;
}

std::string join(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "/" + name;
}

struct Walker {
  fs::path lower_root;
  const TreeVisitor& visit;

  /// Where the lower content of upper directory `upper_dir` comes from, if anywhere; a relative
  /// redirect is resolved in `lower_parent` (the lower directory of its parent; empty: none).
  std::optional<fs::path> lower_for(const fs::path& upper_dir, const std::optional<fs::path>& lower,
                                    const fs::path& lower_parent) const {
    if (overlay_xattr(upper_dir, "opaque") == std::string("y")) return std::nullopt;
    if (auto redirect = overlay_xattr(upper_dir, "redirect")) {
      const bool absolute = redirect->starts_with('/');
      if (!absolute && lower_parent.empty()) return std::nullopt;
      fs::path target =
          absolute ? lower_root / fs::path(*redirect).relative_path() : lower_parent / *redirect;
      auto st = lstat_of(target);
      return st && S_ISDIR(st->st_mode) ? std::optional<fs::path>(target) : std::nullopt;
    }
    return lower;
  }

  /// Visits the children of a merged directory: `upper`, `lower`, or both, may be absent.
  Result<void> walk_dir(const std::string& rel, const std::optional<fs::path>& upper,
                        const std::optional<fs::path>& lower) const {
    std::set<std::string> names;
    if (upper) {
      RKT_TRY_ASSIGN(names, list_dir(*upper));
    }
    if (lower) {
      RKT_TRY_ASSIGN(auto lower_names, list_dir(*lower));
      names.merge(lower_names);
    }
    for (const auto& name : names) {
      auto upper_st = upper ? lstat_of(*upper / name) : std::nullopt;
      auto lower_st = lower ? lstat_of(*lower / name) : std::nullopt;
      if (upper_st) {
        RKT_TRY(visit_upper(
            join(rel, name), *upper / name, *upper_st,
            lower_st && S_ISDIR(lower_st->st_mode) ? std::optional(*lower / name) : std::nullopt,
            lower ? *lower : fs::path()));
      } else if (lower_st) {
        RKT_TRY(visit_entry(join(rel, name), *lower / name, *lower_st, std::nullopt, true));
      }
    }
    return {};
  }

  Result<void> visit_upper(const std::string& rel, const fs::path& path, const struct stat& st,
                           const std::optional<fs::path>& lower_dir,
                           const fs::path& lower_parent) const {
    if (is_whiteout(path, st)) return {};
    std::optional<fs::path> lower;
    if (S_ISDIR(st.st_mode)) lower = lower_for(path, lower_dir, lower_parent);
    return visit_entry(rel, path, st, lower, false);
  }

  /// Visits one entry; a directory's children follow (from `path` and, merged, `lower`).
  Result<void> visit_entry(const std::string& rel, const fs::path& path, const struct stat& st,
                           const std::optional<fs::path>& lower, bool lower_only) const {
    RKT_TRY(visit(TreeEntry{rel, path, st}));
    if (!S_ISDIR(st.st_mode)) return {};
    if (lower_only) return walk_dir(rel, std::nullopt, path);
    return walk_dir(rel, path, lower);
  }
};

}  // namespace

bool is_whiteout(const fs::path& path, const struct stat& st) {
  if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0) return true;
  return S_ISREG(st.st_mode) && st.st_size == 0 && overlay_xattr(path, "whiteout").has_value();
}

Result<void> walk_overlay(const fs::path& lower, const fs::path& upper, const TreeVisitor& visit) {
  auto lower_st = lstat_of(lower);
  if (!lower_st || !S_ISDIR(lower_st->st_mode)) {
    return Error::make(ErrorKind::not_found, "lower directory `{}` is missing", lower.string());
  }
  Walker walker{lower, visit};
  auto upper_st = lstat_of(upper);
  if (!upper_st) return walker.visit_entry("", lower, *lower_st, std::nullopt, true);
  return walker.visit_entry("", upper, *upper_st, walker.lower_for(upper, lower, lower), false);
}

Result<void> walk_tree(const fs::path& root, const TreeVisitor& visit) {
  auto st = lstat_of(root);
  if (!st || !S_ISDIR(st->st_mode)) {
    return Error::make(ErrorKind::not_found, "directory `{}` is missing", root.string());
  }
  Walker walker{root, visit};
  return walker.visit_entry("", root, *st, std::nullopt, true);
}

}  // namespace rkt::pod

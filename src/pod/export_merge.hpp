#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <string>

#include "util/result.hpp"

namespace rkt::pod {

/// One file of a merged tree: its path relative to the tree's root ("" for the root itself,
/// "etc/hosts"), the file on disk that provides it, and that file's lstat.
struct TreeEntry {
  std::string path;
  std::filesystem::path source;
  struct stat st {};
};

/// Receives the entries of a tree, parents before children, names sorted within a directory.
using TreeVisitor = std::function<Result<void>(const TreeEntry&)>;

/// Walks the tree an overlayfs mount of `lower` under `upper` showed: upper entries win, a
/// whiteout in upper (a 0:0 character device, or a file with the overlay.whiteout xattr) deletes
/// the lower entry, an opaque upper directory (overlay.opaque = "y") hides the lower directory's
/// content, and a redirected upper directory (overlay.redirect) takes its lower content from
/// where the xattr points. overlay xattrs are read in the trusted.* namespace (root) and the
/// user.* one (userxattr mounts). `upper` may be empty (no upper layer).
Result<void> walk_overlay(const std::filesystem::path& lower, const std::filesystem::path& upper,
                          const TreeVisitor& visit);

/// Walks a plain directory tree (a --no-overlay app rootfs).
Result<void> walk_tree(const std::filesystem::path& root, const TreeVisitor& visit);

/// Whether an upper-layer entry is an overlayfs whiteout.
bool is_whiteout(const std::filesystem::path& path, const struct stat& st);

}  // namespace rkt::pod

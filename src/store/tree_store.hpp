#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "appc/types.hpp"
#include "store/tar_extract.hpp"
#include "store/tree_hash.hpp"
#include "util/block_broadcast.hpp"
#include "util/file.hpp"
#include "util/lock_file.hpp"
#include "util/result.hpp"

namespace rkt::store {

/// One image to render: its store key ("sha512-<64 hex>"), its blob (an uncompressed ACI tar)
/// and its parsed manifest.
struct RenderImage {
  std::string key;
  std::filesystem::path blob;
  appc::ImageManifest manifest;
  /// pathWhitelists of the images depending on this one (set by flatten_dependencies): an entry
  /// of this image is rendered only if each of them, and its own, lets it through.
  std::vector<std::vector<std::string>> dependant_whitelists;
};

/// Finds the image a dependency names (by imageID if pinned, else by name and labels).
using DependencyResolver = std::function<Result<RenderImage>(const appc::Dependency&)>;

/// The images to extract, in appc order: dependencies depth-first in listed order, then the
/// image itself (A->[B,C], C->[D] gives B, D, C, A). A cycle is an error.
Result<std::vector<RenderImage>> flatten_dependencies(const RenderImage& top,
                                                      const DependencyResolver& resolve);

/// "deps-sha512-" + the first 64 hex of the SHA-512 of the comma-joined keys in flattened order.
std::string tree_id(const std::vector<RenderImage>& flattened);

/// `rkt image render`: the flattened images rendered into `target_dir` (the top image's manifest
/// beside rootfs/, unless rootfs-only).
Result<void> render_to_dir(const std::vector<RenderImage>& flattened,
                           const std::filesystem::path& target_dir, RootfsOnly rootfs_only);

/// `rkt image extract`: one image's own tar (no dependencies, no pathWhitelist) into `target_dir`.
Result<void> extract_to_dir(const std::filesystem::path& blob_path,
                            const std::filesystem::path& target_dir, RootfsOnly rootfs_only);

/// A tree rendered from an image's tar while the image streams into the store, before its key (and
/// so the tree's id) is known: extracted into tree/pending-<pid>-<n>.tmp-<random> under its own
/// flock (locks/tree-pending-<pid>-<n>). TreeStore::commit_pending puts it in place once the image
/// is stored; dropped, it is removed. A killed process's one is removed by the next render, as
/// any temporary tree whose lock is free.
class PendingTree {
 public:
  PendingTree(PendingTree&& other) noexcept;
  PendingTree& operator=(PendingTree&&) = delete;
  ~PendingTree();

 private:
  friend class TreeStore;
  PendingTree(std::filesystem::path lock_path, util::LockFile lock, util::TempDir dir)
      : m_lock_path(std::move(lock_path)), m_lock(std::move(lock)), m_dir(std::move(dir)) {}

  std::filesystem::path m_lock_path;
  util::LockFile m_lock;
  util::TempDir m_dir;
  TreeHashBuilder m_hash;
  bool m_extracted = false;
};

/// Rendered images (cas/tree): tree/<id>/{rootfs/, manifest, image, entries, hash, rendered}. A
/// tree appears under its final name only once complete (rendered in <id>.tmp-<random>, then
/// renamed), under an exclusive flock on <locks>/tree-<id>.
class TreeStore {
 public:
  TreeStore(std::filesystem::path tree_dir, std::filesystem::path locks_dir)
      : m_tree_dir(std::move(tree_dir)), m_locks_dir(std::move(locks_dir)) {}

  /// Renders the flattened images unless already rendered; returns tree/<id>.
  Result<std::filesystem::path> render(const std::vector<RenderImage>& flattened) const;
  /// Recomputes the rootfs hash; a mismatch with the recorded `hash` is verification_failed,
  /// naming the first differing path.
  Result<void> verify(const std::string& id) const;
  /// Renders the tree again after verify() failed: under the tree's exclusive lock, unless it
  /// verifies by now (another process rebuilt it), the tree is removed and rendered anew.
  Result<std::filesystem::path> rebuild(const std::vector<RenderImage>& flattened) const;
  /// Starts a tree for an image that is still being imported (see PendingTree).
  Result<PendingTree> begin_pending() const;
  /// Extracts the ACI tar read from `blocks` into the pending tree, hashing it on the way.
  Result<void> extract_pending(PendingTree& tree, const util::BlockReader& blocks,
                               std::string_view source) const;
  /// Completes the pending tree (hash, syncfs, `rendered`) and renames it into place as the tree
  /// of `flattened`: the image it was extracted from, now stored, alone (no dependencies, no
  /// pathWhitelist; anything else is an error and the tree is dropped). If that tree was
  /// rendered meanwhile (another fetch), the pending one is dropped. Returns tree/<id>.
  Result<std::filesystem::path> commit_pending(PendingTree tree,
                                               const std::vector<RenderImage>& flattened) const;
  /// Removes a tree; a missing one is not an error.
  Result<void> remove(const std::string& id) const;
  /// Ids of the trees present (complete or not), sorted.
  Result<std::vector<std::string>> list_ids() const;
  /// Bytes the tree occupies on disk (hard-linked files counted once).
  Result<uint64_t> size(const std::string& id) const;
  /// The key of the image a tree was rendered for (its `image` file).
  Result<std::string> image_key(const std::string& id) const;
  bool is_rendered(const std::string& id) const;

  std::filesystem::path path(const std::string& id) const { return m_tree_dir / id; }
  std::filesystem::path rootfs(const std::string& id) const { return path(id) / "rootfs"; }

 private:
  Result<util::LockFile> lock(const std::string& id, util::LockMode mode,
                              util::LockWait wait = util::LockWait::block) const;
  Result<void> remove_leftovers(const std::string& id) const;
  Result<void> verify_locked(const std::string& id) const;
  Result<std::filesystem::path> render_locked(const std::vector<RenderImage>& flattened,
                                              const std::string& id) const;
  Result<void> remove_locked(const std::string& id) const;
  Result<void> build_tree(const std::vector<RenderImage>& flattened,
                          const std::filesystem::path& dir) const;
  Result<std::filesystem::path> place_locked(util::TempDir& dir, const std::string& id) const;

  std::filesystem::path m_tree_dir;
  std::filesystem::path m_locks_dir;
};

}  // namespace rkt::store

#include "store/tree_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <set>
#include <utility>

#include "store/tree_hash.hpp"
#include "util/digest.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/unique_fd.hpp"

namespace rkt::store {

namespace fs = std::filesystem;

namespace {

/// A runaway guard: diamonds are rendered once per path, so a wide DAG could explode.
constexpr size_t k_max_flattened_images = 1000;
constexpr std::string_view k_tmp_marker = ".tmp-";
constexpr std::string_view k_hash_file = "hash";
constexpr std::string_view k_entries_file = "entries";  // what `hash` covers, to name a difference
constexpr std::string_view k_rendered_file = "rendered";
// File stamps and hashes of the last verification, so the next one reads only changed files.
constexpr std::string_view k_verified_file = "verified";
constexpr std::string_view k_image_file = "image";
// Owner names of trees rendered while their image is imported (PendingTree).
constexpr std::string_view k_pending_prefix = "pending-";

struct Flattener {
  const DependencyResolver& resolve;
  std::vector<RenderImage> out;
  std::vector<const RenderImage*> chain;  // the images from the top to the one being visited

  Result<void> visit(const RenderImage& image,
                     const std::vector<std::vector<std::string>>& dependant_whitelists);
  Error cycle_error(const RenderImage& image) const;
};

Error Flattener::cycle_error(const RenderImage& image) const {
  std::vector<std::string> names;
  for (const RenderImage* link : chain) names.push_back(link->manifest.name);
  names.push_back(image.manifest.name);
  return Error::make(ErrorKind::invalid_argument, "dependency cycle: {}",
                     util::join(names, " -> "));
}

Result<void> Flattener::visit(const RenderImage& image,
                              const std::vector<std::vector<std::string>>& dependant_whitelists) {
  for (const RenderImage* link : chain) {
    if (link->key == image.key) return cycle_error(image);
  }
  std::vector<std::vector<std::string>> below = dependant_whitelists;
  if (!image.manifest.path_whitelist.empty()) below.push_back(image.manifest.path_whitelist);
  chain.push_back(&image);
  for (const appc::Dependency& dependency : image.manifest.dependencies) {
    auto resolved = resolve(dependency);
    if (!resolved) {
      return std::move(resolved).error().wrap("dependency {} of {}", dependency.image_name,
                                              image.manifest.name);
    }
    RKT_TRY(visit(*resolved, below));
  }
  chain.pop_back();
  if (out.size() >= k_max_flattened_images) {
    return Error::make(ErrorKind::invalid_argument, "{}: more than {} images in its dependencies",
                       image.manifest.name, k_max_flattened_images);
  }
  RenderImage flat = image;
  flat.dependant_whitelists = dependant_whitelists;
  out.push_back(std::move(flat));
  return {};
}

/// Extracts the flattened images one over the other into `rootfs_dir` (which exists); the top
/// image's manifest goes to `manifest_path` unless empty.
Result<void> render_layers(const std::vector<RenderImage>& flattened, const fs::path& rootfs_dir,
                           const fs::path& manifest_path, TreeHashBuilder* hash) {
  for (size_t i = 0; i < flattened.size(); ++i) {
    const RenderImage& image = flattened[i];
    PathFilter filter;
    filter.add_whitelist(image.manifest.path_whitelist);
    for (const auto& whitelist : image.dependant_whitelists) filter.add_whitelist(whitelist);
    ExtractOptions options;
    options.rootfs_dir = rootfs_dir;
    if (i + 1 == flattened.size()) options.manifest_path = manifest_path;
    options.filter = filter.empty() ? nullptr : &filter;
    options.hash = hash;
    if (auto r = extract_aci(image.blob, options); !r) {
      return std::move(r).error().wrap("rendering image {} ({})", image.manifest.name, image.key);
    }
  }
  if (hash) RKT_TRY(record_directories(*hash, rootfs_dir));
  return {};
}

/// Completes a tree directory whose rootfs and manifest are written: `image`, `entries`, `hash`,
/// then (after syncfs, so a crash never leaves a `rendered` marker over data still in the page
/// cache) `rendered`.
Result<void> seal_tree(const fs::path& dir, const std::string& key, const TreeHashBuilder& hash) {
  const auto no_fsync = util::Durability::no_fsync;
  RKT_TRY(util::write_file_atomic(dir / k_image_file, key, 0644, no_fsync));
  std::string records = hash.records();
  RKT_TRY(util::write_file_atomic(dir / k_entries_file, records, 0644, no_fsync));
  RKT_TRY(util::write_file_atomic(dir / k_hash_file, hash.hash(), 0644, no_fsync));
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) return Error::from_errno(errno, "open `{}`", dir.string());
  if (::syncfs(dir_fd.get()) != 0) return Error::from_errno(errno, "syncfs `{}`", dir.string());
  RKT_TRY(util::write_file_atomic(dir / k_rendered_file, "", 0644, util::Durability::fsync));
  if (::fsync(dir_fd.get()) != 0) return Error::from_errno(errno, "fsync `{}`", dir.string());
  return {};
}

Result<void> fsync_path(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", path.string());
  if (::fsync(fd.get()) != 0) return Error::from_errno(errno, "fsync `{}`", path.string());
  return {};
}

/// Ids name directories under tree/: refuse anything that could point elsewhere.
Result<void> check_id(const std::string& id) {
  if (id.empty() || id.front() == '.' || id.find('/') != std::string::npos ||
      id.find(k_tmp_marker) != std::string::npos) {
    return Error::make(ErrorKind::invalid_argument, "invalid tree store id `{}`", id);
  }
  return {};
}

/// Bytes on disk below `dir`, hard links counted once.
Result<uint64_t> disk_usage(const fs::path& dir) {
  uint64_t total = 0;
  std::set<std::pair<dev_t, ino_t>> linked;
  auto add = [&](const fs::path& path) -> Result<void> {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0)
      return Error::from_errno(errno, "stat `{}`", path.string());
    if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !linked.emplace(st.st_dev, st.st_ino).second) {
      return {};
    }
    total += static_cast<uint64_t>(st.st_blocks) * 512;
    return {};
  };
  RKT_TRY(add(dir));
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    RKT_TRY(add(it->path()));
  }
  if (ec) return Error::from_errno(ec.value(), "walk `{}`", dir.string());
  return total;
}

}  // namespace

Result<std::vector<RenderImage>> flatten_dependencies(const RenderImage& top,
                                                      const DependencyResolver& resolve) {
  Flattener flattener{resolve, {}, {}};
  RKT_TRY(flattener.visit(top, {}));
  return std::move(flattener.out);
}

std::string tree_id(const std::vector<RenderImage>& flattened) {
  std::vector<std::string> keys;
  keys.reserve(flattened.size());
  for (const RenderImage& image : flattened) keys.push_back(image.key);
  return "deps-sha512-" + util::sha512_hex(util::join(keys, ",")).substr(0, 64);
}

Result<void> render_to_dir(const std::vector<RenderImage>& flattened, const fs::path& target_dir,
                           RootfsOnly rootfs_only) {
  if (flattened.empty()) return Error::make(ErrorKind::invalid_argument, "no image to render");
  fs::path rootfs_dir = rootfs_only == RootfsOnly::yes ? target_dir : target_dir / "rootfs";
  RKT_TRY(util::make_dirs(rootfs_dir));
  fs::path manifest_path = rootfs_only == RootfsOnly::yes ? fs::path() : target_dir / "manifest";
  return render_layers(flattened, rootfs_dir, manifest_path, nullptr);
}

Result<void> extract_to_dir(const fs::path& blob_path, const fs::path& target_dir,
                            RootfsOnly rootfs_only) {
  ExtractOptions options;
  options.rootfs_dir = rootfs_only == RootfsOnly::yes ? target_dir : target_dir / "rootfs";
  RKT_TRY(util::make_dirs(options.rootfs_dir));
  if (rootfs_only == RootfsOnly::no) options.manifest_path = target_dir / "manifest";
  return extract_aci(blob_path, options);
}

Result<util::LockFile> TreeStore::lock(const std::string& id, util::LockMode mode,
                                       util::LockWait wait) const {
  return util::LockFile::acquire(m_locks_dir / ("tree-" + id), mode, wait);
}

bool TreeStore::is_rendered(const std::string& id) const {
  return util::path_exists(path(id) / k_rendered_file);
}

Result<fs::path> TreeStore::render(const std::vector<RenderImage>& flattened) const {
  if (flattened.empty()) return Error::make(ErrorKind::invalid_argument, "no image to render");
  const std::string id = tree_id(flattened);
  if (!util::is_dir(m_tree_dir)) RKT_TRY(util::make_dirs(m_tree_dir, 0700));
  if (!util::is_dir(m_locks_dir)) RKT_TRY(util::make_dirs(m_locks_dir, 0750));
  RKT_TRY_ASSIGN(util::LockFile held, lock(id, util::LockMode::exclusive));
  if (is_rendered(id)) return path(id);
  return render_locked(flattened, id);
}

Result<fs::path> TreeStore::rebuild(const std::vector<RenderImage>& flattened) const {
  if (flattened.empty()) return Error::make(ErrorKind::invalid_argument, "no image to render");
  const std::string id = tree_id(flattened);
  if (!util::is_dir(m_locks_dir)) RKT_TRY(util::make_dirs(m_locks_dir, 0750));
  RKT_TRY_ASSIGN(util::LockFile held, lock(id, util::LockMode::exclusive));
  if (is_rendered(id) && verify_locked(id)) return path(id);
  RKT_TRY(remove_locked(id));
  return render_locked(flattened, id);
}

Result<fs::path> TreeStore::render_locked(const std::vector<RenderImage>& flattened,
                                          const std::string& id) const {
  RKT_TRY(remove_leftovers(id));
  RKT_TRY_ASSIGN(util::TempDir tmp,
                 util::TempDir::create(m_tree_dir, id + std::string(k_tmp_marker)));
  RKT_TRY(build_tree(flattened, tmp.path()));
  return place_locked(tmp, id);
}

/// Under the lock of `id`: a complete tree in `dir` becomes tree/<id>.
Result<fs::path> TreeStore::place_locked(util::TempDir& dir, const std::string& id) const {
  if (::rename(dir.path().c_str(), path(id).c_str()) != 0) {
    return Error::from_errno(errno, "rename `{}` to `{}`", dir.path().string(), path(id).string());
  }
  dir.release();
  RKT_TRY(fsync_path(m_tree_dir));
  return path(id);
}

PendingTree::PendingTree(PendingTree&& other) noexcept
    : m_lock_path(std::exchange(other.m_lock_path, {})),
      m_lock(std::move(other.m_lock)),
      m_dir(std::move(other.m_dir)),
      m_hash(std::move(other.m_hash)),
      m_extracted(other.m_extracted) {}

PendingTree::~PendingTree() {
  // The directory goes first: once it is gone, nothing is left for the lock file to guard.
  { util::TempDir gone = std::move(m_dir); }
  if (!m_lock_path.empty()) ::unlink(m_lock_path.c_str());
}

Result<PendingTree> TreeStore::begin_pending() const {
  static std::atomic<unsigned> counter{0};
  if (!util::is_dir(m_tree_dir)) RKT_TRY(util::make_dirs(m_tree_dir, 0700));
  if (!util::is_dir(m_locks_dir)) RKT_TRY(util::make_dirs(m_locks_dir, 0750));
  const std::string owner = fmt::format("{}{}-{}", k_pending_prefix, ::getpid(), counter++);
  RKT_TRY_ASSIGN(util::LockFile held, lock(owner, util::LockMode::exclusive));
  RKT_TRY_ASSIGN(util::TempDir dir,
                 util::TempDir::create(m_tree_dir, owner + std::string(k_tmp_marker)));
  return PendingTree(m_locks_dir / ("tree-" + owner), std::move(held), std::move(dir));
}

Result<void> TreeStore::extract_pending(PendingTree& tree, const util::BlockReader& blocks,
                                        std::string_view source) const {
  fs::path rootfs_dir = tree.m_dir.path() / "rootfs";
  if (::mkdir(rootfs_dir.c_str(), 0755) != 0) {
    return Error::from_errno(errno, "mkdir `{}`", rootfs_dir.string());
  }
  ExtractOptions options;
  options.rootfs_dir = rootfs_dir;
  options.manifest_path = tree.m_dir.path() / "manifest";
  options.hash = &tree.m_hash;
  RKT_TRY(extract_aci_blocks(blocks, source, options));
  RKT_TRY(record_directories(tree.m_hash, rootfs_dir));
  // To disk now, while the import finishes on other threads: the syncfs of commit_pending, before
  // `rendered`, then finds little left to write.
  UniqueFd dir_fd(::open(tree.m_dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd) ::syncfs(dir_fd.get());
  tree.m_extracted = true;
  return {};
}

Result<fs::path> TreeStore::commit_pending(PendingTree tree,
                                           const std::vector<RenderImage>& flattened) const {
  if (!tree.m_extracted || flattened.size() != 1 ||
      !flattened.front().manifest.path_whitelist.empty()) {
    return Error::make(ErrorKind::invalid_argument,
                       "a tree rendered while importing fits only an image without dependencies "
                       "or pathWhitelist");
  }
  const std::string id = tree_id(flattened);
  RKT_TRY(seal_tree(tree.m_dir.path(), flattened.front().key, tree.m_hash));
  RKT_TRY_ASSIGN(util::LockFile held, lock(id, util::LockMode::exclusive));
  if (is_rendered(id)) return path(id);
  RKT_TRY(remove_leftovers(id));
  return place_locked(tree.m_dir, id);
}

/// Fills a fresh tree directory: rootfs and manifest, then seal_tree.
Result<void> TreeStore::build_tree(const std::vector<RenderImage>& flattened,
                                   const fs::path& dir) const {
  fs::path rootfs_dir = dir / "rootfs";
  if (::mkdir(rootfs_dir.c_str(), 0755) != 0) {
    return Error::from_errno(errno, "mkdir `{}`", rootfs_dir.string());
  }
  TreeHashBuilder hash;
  RKT_TRY(render_layers(flattened, rootfs_dir, dir / "manifest", &hash));
  return seal_tree(dir, flattened.back().key, hash);
}

/// Under the lock of `id`: its temporary dirs and an incomplete tree are leftovers of a killed
/// render or removal. Other ids' temporary dirs go too when nobody holds their lock.
Result<void> TreeStore::remove_leftovers(const std::string& id) const {
  if (util::path_exists(path(id))) {
    log::debug("removing incomplete tree {}", id);
    RKT_TRY(util::remove_all(path(id)));
  }
  std::error_code ec;
  for (fs::directory_iterator it(m_tree_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    size_t marker = name.find(k_tmp_marker);
    if (marker == std::string::npos || marker == 0) continue;
    std::string owner = name.substr(0, marker);
    if (owner != id) {
      auto other = lock(owner, util::LockMode::exclusive, util::LockWait::no_block);
      if (!other) continue;  // being rendered or removed right now
      RKT_TRY(util::remove_all(it->path()));
      // A killed fetch's pending tree had a lock of its own, used by nothing else.
      if (owner.starts_with(k_pending_prefix)) ::unlink((m_locks_dir / ("tree-" + owner)).c_str());
      continue;
    }
    RKT_TRY(util::remove_all(it->path()));
  }
  if (ec) return Error::from_errno(ec.value(), "read `{}`", m_tree_dir.string());
  return {};
}

Result<void> TreeStore::verify(const std::string& id) const {
  RKT_TRY(check_id(id));
  auto not_rendered = [&] {
    return Error::make(ErrorKind::not_found, "tree {} is not rendered", id);
  };
  if (!is_rendered(id)) return not_rendered();
  RKT_TRY_ASSIGN(util::LockFile held, lock(id, util::LockMode::shared));
  if (!is_rendered(id)) return not_rendered();  // removed while we waited
  return verify_locked(id);
}

Result<void> TreeStore::verify_locked(const std::string& id) const {
  RKT_TRY_ASSIGN(std::string recorded, util::read_file(path(id) / k_hash_file));
  std::string expected(util::trim(recorded));
  // Trees rendered before rkt hashed them with SHA-256 say "sha512-": verify them as they were
  // made. An unknown format fails like a mismatch, so the tree is rendered again.
  auto algorithm = tree_hash_algorithm(expected);
  if (!algorithm) {
    return Error::make(ErrorKind::verification_failed, "tree {}: unknown hash format `{:.16}`", id,
                       expected);
  }
  KnownContents contents;
  fs::path verified_file = path(id) / k_verified_file;
  if (auto text = util::read_file(verified_file)) {
    contents.known = VerifiedContents::parse(*text, util::hex_size(*algorithm));
  }
  contents.now = ::time(nullptr);
  TreeHashBuilder scanned(*algorithm);
  RKT_TRY(scan_tree(rootfs(id), scanned, &contents));
  std::string records = scanned.records();
  if (scanned.hash() == expected) {
    if (contents.hashed_files > 0 || contents.learned.size() != contents.known.size()) {
      // Best effort: without it the next verification reads every file again, nothing worse.
      (void)util::write_file_atomic(verified_file, contents.learned.serialize(), 0644,
                                    util::Durability::no_fsync);
    }
    return {};
  }
  Error mismatch = Error::make(ErrorKind::verification_failed,
                               "tree {}: the rootfs does not match its recorded hash", id);
  auto recorded_entries = util::read_file(path(id) / k_entries_file);
  std::string differing = recorded_entries ? first_difference(*recorded_entries, records) : "";
  if (!differing.empty()) mismatch.message += fmt::format(" (first difference: `{}`)", differing);
  return mismatch;
}

Result<void> TreeStore::remove(const std::string& id) const {
  RKT_TRY(check_id(id));
  if (!util::is_dir(m_locks_dir)) RKT_TRY(util::make_dirs(m_locks_dir, 0750));
  RKT_TRY_ASSIGN(util::LockFile held, lock(id, util::LockMode::exclusive));
  return remove_locked(id);
}

Result<void> TreeStore::remove_locked(const std::string& id) const {
  if (!util::path_exists(path(id))) return {};
  // Out of the way first, so an interrupted removal leaves a leftover, never a half tree.
  fs::path doomed = m_tree_dir / fmt::format("{}{}rm-{}", id, k_tmp_marker, ::getpid());
  RKT_TRY(util::remove_all(doomed));
  if (::rename(path(id).c_str(), doomed.c_str()) != 0) {
    return Error::from_errno(errno, "rename `{}` to `{}`", path(id).string(), doomed.string());
  }
  return util::remove_all(doomed);
}

Result<std::vector<std::string>> TreeStore::list_ids() const {
  std::vector<std::string> ids;
  if (!util::is_dir(m_tree_dir)) return ids;
  std::error_code ec;
  for (fs::directory_iterator it(m_tree_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.find(k_tmp_marker) != std::string::npos || !it->is_directory()) continue;
    ids.push_back(std::move(name));
  }
  if (ec) return Error::from_errno(ec.value(), "read `{}`", m_tree_dir.string());
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<uint64_t> TreeStore::size(const std::string& id) const {
  RKT_TRY(check_id(id));
  return disk_usage(path(id));
}

Result<std::string> TreeStore::image_key(const std::string& id) const {
  RKT_TRY(check_id(id));
  RKT_TRY_ASSIGN(std::string key, util::read_file(path(id) / k_image_file));
  return std::string(util::trim(key));
}

}  // namespace rkt::store

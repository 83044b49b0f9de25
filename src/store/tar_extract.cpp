#include "store/tar_extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "util/file.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace rkt::store {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_read_block_size = 1 << 20;
constexpr int64_t k_max_manifest_size = 16 << 20;

struct ReadArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
using ReadArchive = std::unique_ptr<archive, ReadArchiveDeleter>;
using WriteArchive = std::unique_ptr<archive, WriteArchiveDeleter>;

std::string archive_message(archive* a) {
  const char* message = archive_error_string(a);
  return message ? message : "unknown libarchive error";
}

/// "./rootfs//etc/./x/" -> "rootfs/etc/x"; `..` components and absolute names are refused.
Result<std::string> clean_name(std::string_view name) {
  if (!name.empty() && name.front() == '/') {
    return Error::make(ErrorKind::invalid_argument, "tar entry `{}` has an absolute path", name);
  }
  std::string clean;
  size_t pos = 0;
  while (pos <= name.size()) {
    size_t slash = name.find('/', pos);
    if (slash == std::string_view::npos) slash = name.size();
    std::string_view part = name.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      return Error::make(ErrorKind::invalid_argument, "tar entry `{}` has a `..` component", name);
    }
    if (!clean.empty()) clean += '/';
    clean += part;
  }
  return clean;
}

/// A name inside rootfs/ ("rootfs/etc/x" -> "etc/x", "rootfs" -> "."), or empty if outside.
std::string rootfs_relative(const std::string& clean) {
  if (clean == "rootfs") return ".";
  if (clean.starts_with("rootfs/")) return clean.substr(7);
  return {};
}

/// "a/b/c" -> {"a/b", "c"}; "a" -> {".", "a"}.
std::pair<std::string, std::string> split_parent(const std::string& rel) {
  size_t slash = rel.rfind('/');
  if (slash == std::string::npos) return {".", rel};
  return {rel.substr(0, slash), rel.substr(slash + 1)};
}

bool running_as_root() {
  return ::geteuid() == 0;
}

/// Opens directory `rel` under `root_fd` refusing any symlink on the way (openat2, Linux 5.6+;
/// a component-by-component O_NOFOLLOW walk elsewhere).
int open_dir_beneath(int root_fd, const std::string& rel) {
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how));
  if (fd >= 0 || errno != ENOSYS) return fd;
  UniqueFd current(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  size_t pos = 0;
  while (current && pos < rel.size()) {
    size_t slash = rel.find('/', pos);
    if (slash == std::string::npos) slash = rel.size();
    std::string part = rel.substr(pos, slash - pos);
    pos = slash + 1;
    current.reset(
        ::openat(current.get(), part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  }
  return current.release();
}

/// rm -r of `name` in `dirfd` without following symlinks.
Result<void> remove_subtree_at(int dirfd, const char* name, const std::string& path) {
  UniqueFd fd(::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", path);
  DIR* dir = ::fdopendir(fd.get());
  if (!dir) return Error::from_errno(errno, "opendir `{}`", path);
  fd.release();
  std::unique_ptr<DIR, int (*)(DIR*)> owned(dir, &::closedir);
  while (struct dirent* de = ::readdir(dir)) {
    std::string_view child = de->d_name;
    if (child == "." || child == "..") continue;
    if (::unlinkat(::dirfd(dir), de->d_name, 0) == 0) continue;
    if (errno != EISDIR && errno != EPERM) {
      return Error::from_errno(errno, "remove `{}/{}`", path, child);
    }
    RKT_TRY(remove_subtree_at(::dirfd(dir), de->d_name, path + "/" + std::string(child)));
  }
  if (::unlinkat(dirfd, name, AT_REMOVEDIR) != 0) {
    return Error::from_errno(errno, "remove `{}`", path);
  }
  return {};
}

/// Extracts one ACI tar; one object per call.
class Extractor {
 public:
  /// Reads the tar at `tar_path`, or `blocks` when given (`tar_path` then only names it).
  Extractor(const fs::path& tar_path, const util::BlockReader* blocks,
            const ExtractOptions& options)
      : m_tar_path(tar_path), m_blocks(blocks), m_options(options) {}

  Result<void> run();

 private:
  Result<void> open();
  Result<void> extract_entry(archive_entry* entry);
  Result<void> extract_manifest(archive_entry* entry);
  Result<int> open_parent(const std::string& parent, const std::string& rel);
  Result<void> make_room(const std::string& rel, bool is_dir);
  Result<bool> link_hardlink(archive_entry* entry);
  Result<void> write_entry(archive_entry* entry, const std::string& rel);
  Result<std::optional<size_t>> copy_data(archive_entry* entry, const std::string& rel);
  Result<void> record(archive_entry* entry, const std::string& rel,
                      std::optional<size_t> file_number);
  void resolve_digests();

  fs::path destination(const std::string& rel) const { return rel == "." ? m_root : m_root / rel; }
  Error error(std::string_view what, archive* a) const {
    return Error::make(ErrorKind::io, "{}: {}", what, archive_message(a));
  }

  static la_ssize_t read_block(archive* a, void* client, const void** buffer);

  const fs::path& m_tar_path;
  const util::BlockReader* m_blocks;
  const ExtractOptions& m_options;
  fs::path m_root;
  UniqueFd m_root_fd;
  ReadArchive m_reader;
  WriteArchive m_writer;
  std::string m_link_target;  // of the current entry if a hard link, relative to rootfs
  std::string m_parent_rel;   // the directory m_parent_fd refers to
  UniqueFd m_parent_fd;
  std::optional<ContentHasher> m_hasher;                   // when building a hash
  std::vector<std::pair<std::string, size_t>> m_pending;   // files whose digest is being computed
  std::unordered_map<std::string, size_t> m_file_numbers;  // path -> number at the hasher
};

Result<void> Extractor::open() {
  std::error_code ec;
  // Entries are written by absolute name below the root: resolve symlinks in the root itself once.
  m_root = fs::canonical(m_options.rootfs_dir, ec);
  if (ec) return Error::from_errno(ec.value(), "resolve `{}`", m_options.rootfs_dir.string());
  m_root_fd.reset(::open(m_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!m_root_fd) return Error::from_errno(errno, "open `{}`", m_root.string());

  m_reader.reset(archive_read_new());
  archive_read_support_format_tar(m_reader.get());
  archive_read_support_filter_all(m_reader.get());
  int opened =
      m_blocks ? archive_read_open(m_reader.get(), this, nullptr, &Extractor::read_block, nullptr)
               : archive_read_open_filename(m_reader.get(), m_tar_path.c_str(), k_read_block_size);
  if (opened != ARCHIVE_OK) {
    return error(fmt::format("open `{}`", m_tar_path.string()), m_reader.get());
  }

  m_writer.reset(archive_write_disk_new());
  int flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
              ARCHIVE_EXTRACT_SECURE_NODOTDOT;
  // Numeric ids from the tar, never mapped through the host's user database.
  if (running_as_root()) flags |= ARCHIVE_EXTRACT_OWNER;
  archive_write_disk_set_options(m_writer.get(), flags);
  if (m_options.hash) m_hasher.emplace(m_options.hash->algorithm());
  return {};
}

la_ssize_t Extractor::read_block(archive* a, void* client, const void** buffer) {
  auto block = (*static_cast<Extractor*>(client)->m_blocks)();
  if (!block) {
    archive_set_error(a, EIO, "%s", block.error().message.c_str());
    return -1;
  }
  *buffer = block->data();
  return static_cast<la_ssize_t>(block->size());
}

Result<void> Extractor::run() {
  RKT_TRY(open());
  while (true) {
    archive_entry* entry = nullptr;
    int r = archive_read_next_header(m_reader.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      return error(fmt::format("read `{}`", m_tar_path.string()), m_reader.get());
    }
    RKT_TRY(extract_entry(entry));
  }
  // Directory modes and times are applied here, after their contents were written.
  if (archive_write_close(m_writer.get()) != ARCHIVE_OK) {
    return error(fmt::format("finish extracting `{}`", m_tar_path.string()), m_writer.get());
  }
  resolve_digests();
  return {};
}

Result<void> Extractor::extract_entry(archive_entry* entry) {
  const char* raw_name = archive_entry_pathname(entry);
  if (!raw_name) return Error::make(ErrorKind::invalid_argument, "tar entry without a name");
  RKT_TRY_ASSIGN(std::string clean, clean_name(raw_name));
  if (clean == "manifest") return extract_manifest(entry);
  std::string rel = rootfs_relative(clean);
  if (rel.empty()) return {};  // not part of an ACI's rootfs; validation is the importer's job
  const bool is_dir = archive_entry_filetype(entry) == AE_IFDIR;
  if (rel == "." && !is_dir) return {};
  if (m_options.filter && !m_options.filter->keep(rel, is_dir)) return {};
  if (rel != ".") RKT_TRY(make_room(rel, is_dir));
  m_link_target.clear();
  if (archive_entry_hardlink(entry)) {
    RKT_TRY_ASSIGN(bool linkable, link_hardlink(entry));
    if (!linkable) return {};
  }
  return write_entry(entry, rel);
}

Result<void> Extractor::extract_manifest(archive_entry* entry) {
  if (m_options.manifest_path.empty()) return {};
  int64_t size = archive_entry_size(entry);
  if (size < 0 || size > k_max_manifest_size) {
    return Error::make(ErrorKind::invalid_argument, "`{}`: manifest too large ({} bytes)",
                       m_tar_path.string(), size);
  }
  std::string content(static_cast<size_t>(size), '\0');
  la_ssize_t n = archive_read_data(m_reader.get(), content.data(), content.size());
  if (n < 0) {
    return error(fmt::format("read manifest of `{}`", m_tar_path.string()), m_reader.get());
  }
  content.resize(static_cast<size_t>(n));
  return util::write_file_atomic(m_options.manifest_path, content, 0644,
                                 util::Durability::no_fsync);
}

/// The directory `parent` (relative to the root) opened without following any symlink, or -1 if
/// it does not exist yet. Cached: consecutive entries mostly share their parent, and only
/// make_room removes directories (and then drops the cache).
Result<int> Extractor::open_parent(const std::string& parent, const std::string& rel) {
  if (m_parent_fd && parent == m_parent_rel) return m_parent_fd.get();
  m_parent_fd.reset(open_dir_beneath(m_root_fd.get(), parent));
  if (!m_parent_fd) {
    if (errno == ENOENT) return -1;  // nothing there yet; libarchive makes the parents
    return Error::from_errno(errno, "`{}` would be written through a symlink or a non-directory",
                             rel);
  }
  m_parent_rel = parent;
  return m_parent_fd.get();
}

/// Clears the way for `rel`: a non-directory is unlinked (a hard link to it elsewhere keeps the
/// old content), a directory in the way of a non-directory is removed with everything below,
/// directories merge. A symlink is never followed, including one to a directory, and nothing is
/// created below a symlink: libarchive's own (much slower) SECURE_SYMLINKS walk is not needed.
Result<void> Extractor::make_room(const std::string& rel, bool is_dir) {
  auto [parent, base] = split_parent(rel);
  RKT_TRY_ASSIGN(int parent_fd, open_parent(parent, rel));
  if (parent_fd < 0) return {};
  struct stat st;
  if (::fstatat(parent_fd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return {};
    return Error::from_errno(errno, "stat `{}`", rel);
  }
  if (S_ISDIR(st.st_mode) && is_dir) return {};
  if (S_ISDIR(st.st_mode)) {
    RKT_TRY(remove_subtree_at(parent_fd, base.c_str(), rel));
    m_parent_fd.reset();
  } else if (::unlinkat(parent_fd, base.c_str(), 0) != 0) {
    return Error::from_errno(errno, "remove `{}`", rel);
  }
  if (m_options.hash) m_options.hash->erase_subtree(rel);
  return {};
}

/// Points a hard link at its target's place on disk; false when the target was not extracted
/// (filtered out by a pathWhitelist), so the link is skipped too.
Result<bool> Extractor::link_hardlink(archive_entry* entry) {
  RKT_TRY_ASSIGN(std::string clean, clean_name(archive_entry_hardlink(entry)));
  std::string target = rootfs_relative(clean);
  if (target.empty() || target == ".") {
    return Error::make(ErrorKind::invalid_argument, "hard link `{}` points outside rootfs: `{}`",
                       archive_entry_pathname(entry), archive_entry_hardlink(entry));
  }
  if (m_options.filter && !m_options.filter->keep(target, false)) return false;
  // link(2) follows symlinks in the target's parents: the target must be a regular file reached
  // through directories only.
  auto [parent, base] = split_parent(target);
  RKT_TRY_ASSIGN(int parent_fd, open_parent(parent, target));
  struct stat st;
  if (parent_fd < 0 || ::fstatat(parent_fd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
      !S_ISREG(st.st_mode)) {
    return Error::make(ErrorKind::invalid_argument, "hard link `{}` to `{}`, which is not a file",
                       archive_entry_pathname(entry), target);
  }
  if (m_options.hash) {
    const TreeEntry* linked = m_options.hash->find(target);
    if (!linked || linked->type != 'f') {
      return Error::make(ErrorKind::invalid_argument,
                         "hard link `{}` to `{}`, which is not a regular file of this image",
                         archive_entry_pathname(entry), target);
    }
  }
  archive_entry_set_hardlink(entry, destination(target).c_str());
  m_link_target = std::move(target);
  return true;
}

Result<void> Extractor::write_entry(archive_entry* entry, const std::string& rel) {
  const unsigned type = archive_entry_filetype(entry);
  archive_entry_set_pathname(entry, destination(rel).c_str());
  int r = archive_write_header(m_writer.get(), entry);
  if (r < ARCHIVE_WARN) {
    if ((type == AE_IFCHR || type == AE_IFBLK) && !running_as_root()) {
      log::debug("skipping device `{}`: not root", rel);
      return {};
    }
    return error(fmt::format("extract `{}`", rel), m_writer.get());
  }
  if (r == ARCHIVE_WARN) log::debug("extract `{}`: {}", rel, archive_message(m_writer.get()));
  std::optional<size_t> file_number;
  const bool has_data = type == AE_IFREG && archive_entry_size(entry) > 0;
  if (has_data || (type == AE_IFREG && !archive_entry_hardlink(entry))) {
    RKT_TRY_ASSIGN(file_number, copy_data(entry, rel));
  }
  r = archive_write_finish_entry(m_writer.get());
  if (r < ARCHIVE_WARN) return error(fmt::format("extract `{}`", rel), m_writer.get());
  if (r == ARCHIVE_WARN) log::debug("extract `{}`: {}", rel, archive_message(m_writer.get()));
  return record(entry, rel, file_number);
}

/// Streams the entry's data block by block to disk, and to the content hasher when a hash is
/// built; returns the file's number there.
Result<std::optional<size_t>> Extractor::copy_data(archive_entry* entry, const std::string& rel) {
  std::optional<size_t> file_number;
  if (m_hasher) file_number = m_hasher->begin_file();
  int64_t hashed = 0;
  while (true) {
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(m_reader.get(), &block, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return error(fmt::format("read `{}`", rel), m_reader.get());
    if (archive_write_data_block(m_writer.get(), block, size, offset) < ARCHIVE_WARN) {
      return error(fmt::format("write `{}`", rel), m_writer.get());
    }
    if (m_hasher) {
      // Sparse entries leave holes between blocks; the file reads back zeros there.
      if (offset > hashed) m_hasher->add_zeros(static_cast<size_t>(offset - hashed));
      m_hasher->add(block, size);
      hashed = offset + static_cast<int64_t>(size);
    }
  }
  if (m_hasher) {
    int64_t size = archive_entry_size(entry);
    if (size > hashed) m_hasher->add_zeros(static_cast<size_t>(size - hashed));
    m_hasher->end_file();
  }
  return file_number;
}

/// Records what is now on disk at `rel`; a file's content digest is filled in by
/// resolve_digests once the hasher is done. Directories get their final metadata in
/// record_directories, once the writer applied it.
Result<void> Extractor::record(archive_entry* entry, const std::string& rel,
                               std::optional<size_t> file_number) {
  if (!m_options.hash) return {};
  if (archive_entry_filetype(entry) == AE_IFDIR) {
    m_options.hash->set(rel, TreeEntry{'d', 0, 0, 0, {}});
    return {};
  }
  // Owner and setuid bits on disk depend on privileges: hash what is there, not the header.
  struct stat st;
  fs::path dest = destination(rel);
  if (::lstat(dest.c_str(), &st) != 0) return Error::from_errno(errno, "stat `{}`", rel);
  TreeEntry recorded = tree_entry_from_stat(st);
  if (recorded.type == 'l') {
    recorded.detail = archive_entry_symlink(entry) ? archive_entry_symlink(entry) : "";
  } else if (recorded.type == 'f') {
    if (!file_number && !m_link_target.empty()) {
      // A hard link shares its target's content: a lower layer's known digest, or this layer's
      // pending one.
      const TreeEntry* linked = m_options.hash->find(m_link_target);
      if (linked && !linked->detail.empty()) recorded.detail = linked->detail;
      auto number = m_file_numbers.find(m_link_target);
      if (recorded.detail.empty() && number != m_file_numbers.end()) file_number = number->second;
    }
    if (file_number) {
      m_pending.emplace_back(rel, *file_number);
      m_file_numbers[rel] = *file_number;
    }
  }
  m_options.hash->set(rel, std::move(recorded));
  return {};
}

/// Fills in the content digests of this layer's files (empty `detail` = still pending); the last
/// write of a path wins, and paths removed or replaced since are skipped.
void Extractor::resolve_digests() {
  if (!m_hasher) return;
  std::vector<std::string> digests = m_hasher->finish();
  for (auto it = m_pending.rbegin(); it != m_pending.rend(); ++it) {
    TreeEntry* entry = m_options.hash->find(it->first);
    if (entry && entry->type == 'f' && entry->detail.empty()) entry->detail = digests[it->second];
  }
}

std::string normalize_whitelist_path(std::string_view path) {
  auto clean = clean_name(path.starts_with('/') ? path.substr(1) : path);
  return clean ? (clean->empty() ? std::string(".") : *clean) : std::string();
}

}  // namespace

void PathFilter::add_whitelist(const std::vector<std::string>& paths) {
  if (paths.empty()) return;
  Whitelist list;
  for (const std::string& raw : paths) {
    std::string path = normalize_whitelist_path(raw);
    if (path.empty()) continue;  // a `..` path can name nothing inside the image
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      list.ancestors.insert(path.substr(0, slash));
    }
    list.paths.insert(std::move(path));
  }
  m_lists.push_back(std::move(list));
}

bool PathFilter::keep(std::string_view path, bool is_dir) const {
  if (path == ".") return true;
  std::string key(path);
  for (const Whitelist& list : m_lists) {
    if (list.paths.count(key)) continue;
    if (is_dir && list.ancestors.count(key)) continue;
    return false;
  }
  return true;
}

Result<void> extract_aci(const fs::path& tar_path, const ExtractOptions& options) {
  Extractor extractor(tar_path, nullptr, options);
  if (auto r = extractor.run(); !r) {
    return std::move(r).error().wrap("extracting `{}`", tar_path.string());
  }
  return {};
}

Result<void> extract_aci_blocks(const util::BlockReader& blocks, std::string_view source,
                                const ExtractOptions& options) {
  const fs::path name(source);
  Extractor extractor(name, &blocks, options);
  if (auto r = extractor.run(); !r) return std::move(r).error().wrap("extracting {}", source);
  return {};
}

}  // namespace rkt::store

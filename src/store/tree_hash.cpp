#include "store/tree_hash.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "util/digest.hpp"
#include "util/unique_fd.hpp"

namespace rkt::store {

namespace {

char type_char(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR:
      return 'd';
    case S_IFREG:
      return 'f';
    case S_IFLNK:
      return 'l';
    case S_IFCHR:
      return 'c';
    case S_IFBLK:
      return 'b';
    case S_IFIFO:
      return 'p';
    case S_IFSOCK:
      return 's';
    default:
      return '?';
  }
}

std::string child_path(const std::string& parent, std::string_view name) {
  if (parent == ".") return std::string(name);
  std::string path = parent;
  path += '/';
  path += name;
  return path;
}

Result<std::string> hash_file_at(int dirfd, const char* name, const std::string& path,
                                 util::DigestAlgorithm algorithm) {
  UniqueFd fd(::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", path);
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  util::Digest digest(algorithm);
  // Left uninitialised: zeroing a megabyte up front cost more than hashing a small image.
  constexpr size_t k_buffer_size = 1 << 20;
  static thread_local std::unique_ptr<char[]> buffer(new char[k_buffer_size]);
  while (true) {
    ssize_t n = ::read(fd.get(), buffer.get(), k_buffer_size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "read `{}`", path);
    if (n == 0) break;
    digest.update(buffer.get(), static_cast<size_t>(n));
  }
  return digest.hex();
}

Result<std::string> read_link_at(int dirfd, const char* name, const std::string& path) {
  std::string target(256, '\0');
  while (true) {
    ssize_t n = ::readlinkat(dirfd, name, target.data(), target.size());
    if (n < 0) return Error::from_errno(errno, "readlink `{}`", path);
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

/// The entry of `name` in `dirfd`, with its content digest or link target read from disk.
Result<TreeEntry> entry_at(int dirfd, const char* name, const struct stat& st,
                           const std::string& path, util::DigestAlgorithm algorithm,
                           KnownContents* contents) {
  TreeEntry entry = tree_entry_from_stat(st);
  if (entry.type == 'f') {
    FileStamp stamp = FileStamp::of(st);
    const std::string* known = contents ? contents->known.find(path, stamp) : nullptr;
    if (known) {
      entry.detail = *known;
    } else {
      RKT_TRY_ASSIGN(entry.detail, hash_file_at(dirfd, name, path, algorithm));
      if (contents) contents->hashed_files++;
    }
    if (contents) contents->learned.remember(path, stamp, entry.detail, contents->now);
  } else if (entry.type == 'l') {
    RKT_TRY_ASSIGN(entry.detail, read_link_at(dirfd, name, path));
  }
  return entry;
}

Result<void> scan_dir(int dirfd, const std::string& path, TreeHashBuilder& builder,
                      KnownContents* contents) {
  int dup_fd = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return Error::from_errno(errno, "dup `{}`", path);
  DIR* dir = ::fdopendir(dup_fd);
  if (!dir) {
    ::close(dup_fd);
    return Error::from_errno(errno, "opendir `{}`", path);
  }
  std::unique_ptr<DIR, int (*)(DIR*)> owned(dir, &::closedir);
  while (true) {
    errno = 0;
    struct dirent* de = ::readdir(dir);
    if (!de) {
      if (errno != 0) return Error::from_errno(errno, "readdir `{}`", path);
      return {};
    }
    std::string_view name = de->d_name;
    if (name == "." || name == "..") continue;
    std::string child = child_path(path, name);
    struct stat st;
    if (::fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return Error::from_errno(errno, "stat `{}`", child);
    }
    RKT_TRY_ASSIGN(TreeEntry entry,
                   entry_at(dirfd, de->d_name, st, child, builder.algorithm(), contents));
    builder.set(child, std::move(entry));
    if (S_ISDIR(st.st_mode)) {
      UniqueFd sub(::openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub) return Error::from_errno(errno, "open `{}`", child);
      RKT_TRY(scan_dir(sub.get(), child, builder, contents));
    }
  }
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

}  // namespace

std::string_view digest_name(util::DigestAlgorithm algorithm) {
  return algorithm == util::DigestAlgorithm::sha512 ? "sha512" : "sha256";
}

std::optional<util::DigestAlgorithm> tree_hash_algorithm(std::string_view hash) {
  for (auto algorithm : {util::DigestAlgorithm::sha256, util::DigestAlgorithm::sha512}) {
    std::string_view name = digest_name(algorithm);
    if (hash.size() > name.size() && hash.starts_with(name) && hash[name.size()] == '-') {
      return algorithm;
    }
  }
  return std::nullopt;
}

TreeEntry tree_entry_from_stat(const struct stat& st) {
  TreeEntry entry;
  entry.type = type_char(st.st_mode);
  entry.mode = static_cast<uint32_t>(st.st_mode & 07777);
  entry.uid = st.st_uid;
  entry.gid = st.st_gid;
  if (entry.type == 'c' || entry.type == 'b') {
    entry.detail = std::to_string(major(st.st_rdev)) + "," + std::to_string(minor(st.st_rdev));
  }
  return entry;
}

void TreeHashBuilder::erase_subtree(const std::string& path) {
  m_entries.erase(path);
  // Children sort between "path/" and "path0" ('0' follows '/').
  auto first = m_entries.lower_bound(path + '/');
  auto last = m_entries.lower_bound(path + '0');
  m_entries.erase(first, last);
}

const TreeEntry* TreeHashBuilder::find(const std::string& path) const {
  auto it = m_entries.find(path);
  return it == m_entries.end() ? nullptr : &it->second;
}

TreeEntry* TreeHashBuilder::find(const std::string& path) {
  auto it = m_entries.find(path);
  return it == m_entries.end() ? nullptr : &it->second;
}

namespace {

/// A piece of one file's content inside a Batch.
struct Segment {
  enum class Kind : uint8_t { data, zeros, end };
  size_t file = 0;
  Kind kind = Kind::data;
  size_t offset = 0;  // into Batch::bytes (data)
  size_t size = 0;    // bytes (data, zeros)
};

/// Contents of many small files or part of a large one: one hand-over between the threads.
struct Batch {
  std::unique_ptr<char[]> bytes;
  size_t used = 0;
  std::vector<Segment> segments;
};

constexpr size_t k_batch_bytes = 1 << 20;
constexpr size_t k_max_batches = 8;  // bounds the memory the writer can run ahead by
constexpr size_t k_max_segments = 4096;

}  // namespace

struct ContentHasher::Impl {
  util::DigestAlgorithm algorithm;
  std::mutex mutex;
  std::condition_variable work_ready;
  std::condition_variable batch_free;
  std::deque<Batch> queue;
  std::vector<Batch> free_batches;
  size_t allocated = 0;
  bool closing = false;
  std::thread worker;

  Batch current;  // being filled by the writer
  size_t next_file = 0;
  std::optional<util::Digest> digest;  // the worker's file in progress
  std::vector<std::string> results;    // the worker's, until joined

  explicit Impl(util::DigestAlgorithm digest_algorithm) : algorithm(digest_algorithm) {
    current = new_batch();
    try {
      worker = std::thread([this] { run_worker(); });
    } catch (const std::system_error&) {
      // No thread: flush() hashes on the caller's thread instead.
    }
  }

  Batch new_batch() {
    ++allocated;
    // Not zeroed: every byte is written before it is read.
    return Batch{std::unique_ptr<char[]>(new char[k_batch_bytes]), 0, {}};
  }

  void push_segment(Segment segment) {
    auto& segments = current.segments;
    if (!segments.empty() && segments.back().file == segment.file &&
        segments.back().kind == segment.kind && segment.kind != Segment::Kind::end &&
        (segment.kind == Segment::Kind::zeros ||
         segments.back().offset + segments.back().size == segment.offset)) {
      segments.back().size += segment.size;
      return;
    }
    segments.push_back(segment);
  }

  void process(const Batch& batch) {
    static const std::vector<char> zeros(1 << 16, '\0');
    for (const Segment& segment : batch.segments) {
      if (!digest) digest.emplace(algorithm);
      if (segment.kind == Segment::Kind::data) {
        digest->update(batch.bytes.get() + segment.offset, segment.size);
      } else if (segment.kind == Segment::Kind::zeros) {
        for (size_t left = segment.size; left > 0;) {
          size_t n = std::min(left, zeros.size());
          digest->update(zeros.data(), n);
          left -= n;
        }
      } else {
        if (results.size() <= segment.file) results.resize(segment.file + 1);
        results[segment.file] = digest->hex();
        digest.reset();
      }
    }
  }

  void run_worker() {
    while (true) {
      Batch batch;
      {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, [this] { return !queue.empty() || closing; });
        if (queue.empty()) return;
        batch = std::move(queue.front());
        queue.pop_front();
      }
      process(batch);
      batch.used = 0;
      batch.segments.clear();
      {
        std::lock_guard lock(mutex);
        free_batches.push_back(std::move(batch));
      }
      batch_free.notify_one();
    }
  }

  /// Hands the current batch to the worker and takes an empty one.
  void flush() {
    if (current.segments.empty()) return;
    if (!worker.joinable()) {
      process(current);
      current.used = 0;
      current.segments.clear();
      return;
    }
    std::unique_lock lock(mutex);
    queue.push_back(std::move(current));
    work_ready.notify_one();
    if (free_batches.empty() && allocated < k_max_batches) {
      current = new_batch();
      return;
    }
    batch_free.wait(lock, [this] { return !free_batches.empty(); });
    current = std::move(free_batches.back());
    free_batches.pop_back();
  }

  void stop() {
    if (!worker.joinable()) return;
    {
      std::lock_guard lock(mutex);
      closing = true;
    }
    work_ready.notify_one();
    worker.join();
  }
};

ContentHasher::ContentHasher(util::DigestAlgorithm algorithm)
    : m_impl(std::make_unique<Impl>(algorithm)) {}

ContentHasher::~ContentHasher() {
  m_impl->stop();
}

size_t ContentHasher::begin_file() {
  return m_impl->next_file++;
}

void ContentHasher::add(const void* data, size_t size) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    Batch& batch = m_impl->current;
    if (batch.used == k_batch_bytes) {
      m_impl->flush();
      continue;
    }
    size_t n = std::min(size, k_batch_bytes - batch.used);
    std::memcpy(batch.bytes.get() + batch.used, bytes, n);
    m_impl->push_segment({m_impl->next_file - 1, Segment::Kind::data, batch.used, n});
    batch.used += n;
    bytes += n;
    size -= n;
  }
}

void ContentHasher::add_zeros(size_t size) {
  if (size > 0) m_impl->push_segment({m_impl->next_file - 1, Segment::Kind::zeros, 0, size});
}

void ContentHasher::end_file() {
  m_impl->push_segment({m_impl->next_file - 1, Segment::Kind::end, 0, 0});
  if (m_impl->current.segments.size() >= k_max_segments) m_impl->flush();
}

std::vector<std::string> ContentHasher::finish() {
  m_impl->flush();
  m_impl->stop();
  m_impl->results.resize(m_impl->next_file);
  return std::move(m_impl->results);
}

std::string TreeHashBuilder::records() const {
  std::string out;
  for (const auto& [path, entry] : m_entries) {
    // NUL-terminated fields: paths and link targets may hold any other byte.
    fmt::format_to(std::back_inserter(out), "{}{}{}{}{:o}{}{}{}{}{}{}{}\n", path, '\0', entry.type,
                   '\0', entry.mode, '\0', entry.uid, '\0', entry.gid, '\0', entry.detail, '\0');
  }
  return out;
}

std::string TreeHashBuilder::hash() const {
  util::Digest digest(m_algorithm);
  digest.update(records());
  return std::string(digest_name(m_algorithm)) + "-" + digest.hex();
}

namespace {

/// Splits records() text into (path, record) pairs; a record ends with "\0\n", which no field
/// can contain.
std::vector<std::pair<std::string_view, std::string_view>> split_records(std::string_view text) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  while (!text.empty()) {
    size_t end = text.find(std::string_view("\0\n", 2));
    std::string_view record = text.substr(0, end == std::string_view::npos ? text.size() : end + 2);
    out.emplace_back(record.substr(0, record.find('\0')), record);
    text.remove_prefix(record.size());
  }
  return out;
}

}  // namespace

std::string first_difference(std::string_view expected, std::string_view actual) {
  auto want = split_records(expected);
  auto have = split_records(actual);
  size_t i = 0;
  size_t j = 0;
  while (i < want.size() || j < have.size()) {
    if (j == have.size() || (i < want.size() && want[i].first < have[j].first)) {
      return std::string(want[i].first);  // missing
    }
    if (i == want.size() || have[j].first < want[i].first) {
      return std::string(have[j].first);  // unexpected
    }
    if (want[i].second != have[j].second) return std::string(want[i].first);
    ++i;
    ++j;
  }
  return {};
}

Result<void> record_directories(TreeHashBuilder& builder, const std::filesystem::path& root) {
  std::vector<std::string> dirs{"."};
  std::set<std::string> implicit;
  for (const auto& [path, entry] : builder.entries()) {
    if (entry.type == 'd') dirs.push_back(path);
    // Parents the tar did not list were made by the extractor; they are on disk all the same.
    for (std::string parent = parent_of(path); parent != "."; parent = parent_of(parent)) {
      if (builder.find(parent) || !implicit.insert(parent).second) break;
    }
  }
  dirs.insert(dirs.end(), implicit.begin(), implicit.end());
  for (const std::string& dir : dirs) {
    std::filesystem::path full = dir == "." ? root : root / dir;
    struct stat st;
    if (::lstat(full.c_str(), &st) != 0)
      return Error::from_errno(errno, "stat `{}`", full.string());
    builder.set(dir, tree_entry_from_stat(st));
  }
  return {};
}

Result<void> scan_tree(const std::filesystem::path& root, TreeHashBuilder& builder,
                       KnownContents* contents) {
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", root.string());
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Error::from_errno(errno, "stat `{}`", root.string());
  builder.set(".", tree_entry_from_stat(st));
  return scan_dir(fd.get(), ".", builder, contents);
}

Result<std::string> compute_tree_hash(const std::filesystem::path& root,
                                      util::DigestAlgorithm algorithm) {
  TreeHashBuilder builder(algorithm);
  RKT_TRY(scan_tree(root, builder));
  return builder.hash();
}

}  // namespace rkt::store

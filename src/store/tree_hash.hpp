#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/verified_contents.hpp"
#include "util/digest.hpp"
#include "util/result.hpp"

namespace rkt::store {

/// What the tree hash knows of one filesystem object (times are deliberately left out: they
/// change when a later layer adds files to a directory, and they do not change what runs).
struct TreeEntry {
  char type = '?';    // d, f, l (symlink), c, b, p (fifo), s (socket)
  uint32_t mode = 0;  // permission bits with setuid/setgid/sticky (st_mode & 07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string detail;  // regular file: hex digest of the content; symlink: target; device: "maj,min"
};

/// The digest of new trees' file contents and records: SHA-256, which nettle computes with the
/// CPU's SHA extensions several times faster than SHA-512 (rendering a tree hashes every byte of
/// it). Trees rendered before used SHA-512; a tree's `hash` names its algorithm ("sha256-<hex>",
/// "sha512-<hex>"), so both verify. The tree hash is rkt's own: image IDs stay SHA-512.
inline constexpr util::DigestAlgorithm k_tree_digest = util::DigestAlgorithm::sha256;

/// "sha256" / "sha512": the prefix of a tree hash made with `algorithm`.
std::string_view digest_name(util::DigestAlgorithm algorithm);
/// The algorithm of a tree hash ("sha512-<hex>" -> sha512); none for anything else.
std::optional<util::DigestAlgorithm> tree_hash_algorithm(std::string_view hash);

/// A TreeEntry from lstat data; `detail` is filled in by the caller for files and symlinks.
TreeEntry tree_entry_from_stat(const struct stat& st);

/// The entries of a tree keyed by path relative to its root ("." for the root, "etc/passwd"), in
/// byte order, and the digest over them (file contents and records with the same algorithm).
/// Extraction fills it as it writes; a later layer replaces entries and drops removed subtrees, so
/// the hash is known without reading the tree again.
class TreeHashBuilder {
 public:
  explicit TreeHashBuilder(util::DigestAlgorithm algorithm = k_tree_digest)
      : m_algorithm(algorithm) {}
  util::DigestAlgorithm algorithm() const { return m_algorithm; }
  void set(std::string path, TreeEntry entry) { m_entries[std::move(path)] = std::move(entry); }
  /// Drops `path` and everything below it.
  void erase_subtree(const std::string& path);
  const TreeEntry* find(const std::string& path) const;
  TreeEntry* find(const std::string& path);
  const std::map<std::string, TreeEntry>& entries() const { return m_entries; }
  /// One record per entry in path order: path, type, mode, uid, gid, detail, each ended by a
  /// NUL, then a newline. This is what the hash covers.
  std::string records() const;
  /// "<algorithm>-<hex>" of records(), e.g. "sha256-<64 hex>".
  std::string hash() const;

 private:
  util::DigestAlgorithm m_algorithm;
  std::map<std::string, TreeEntry> m_entries;
};

/// Digests of file contents, computed on a second thread while the caller writes the files, so
/// that hashing overlaps extraction instead of adding to it. Files are numbered as begun.
class ContentHasher {
 public:
  explicit ContentHasher(util::DigestAlgorithm algorithm = k_tree_digest);
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;
  ~ContentHasher();

  /// Starts the next file and returns its number.
  size_t begin_file();
  /// Appends content (copied: the caller may reuse its buffer at once).
  void add(const void* data, size_t size);
  /// Appends `size` zero bytes (a hole of a sparse file).
  void add_zeros(size_t size);
  void end_file();
  /// Waits for the hashing and returns the hex digests by file number. Call once.
  std::vector<std::string> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

/// Adds to `builder` what extraction leaves to the end: every directory's final metadata (their
/// modes and owners are fixed up after their contents are written), the directories created
/// implicitly for entries whose tar had no parent entry, and the root.
Result<void> record_directories(TreeHashBuilder& builder, const std::filesystem::path& root);

/// Walks `root` (never following symlinks) and returns the same "<algorithm>-<hex>" a
/// TreeHashBuilder of that algorithm filled during extraction of the same tree returns.
Result<std::string> compute_tree_hash(const std::filesystem::path& root,
                                      util::DigestAlgorithm algorithm = k_tree_digest);

/// The first path whose record differs between two records() texts (present in one only, or
/// different); empty if they are equal.
std::string first_difference(std::string_view expected, std::string_view actual);

/// File contents a scan may take as known instead of hashing them, and what it learns for next
/// time (see VerifiedContents).
struct KnownContents {
  VerifiedContents known;
  VerifiedContents learned;
  time_t now = 0;
  size_t hashed_files = 0;
};

/// Walks `root` into `builder`, hashing contents with the builder's algorithm (exposed for tests
/// and for naming the first differing path); with `contents`, files whose stamp is known are not
/// read again.
Result<void> scan_tree(const std::filesystem::path& root, TreeHashBuilder& builder,
                       KnownContents* contents = nullptr);

}  // namespace rkt::store

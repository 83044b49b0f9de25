#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "appc/types.hpp"
#include "store/image_info.hpp"
#include "store/remote_info.hpp"
#include "store/store_paths.hpp"
#include "store/temp_file.hpp"
#include "util/block_broadcast.hpp"
#include "util/lock_file.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::store {

class Decompressor;
class StoreIndex;
struct StreamedAci;

/// How an image enters the store.
struct ImportOptions {
  /// Fetched without a version label ("latest"); find_by_name prefers these.
  bool latest = false;
  /// Names the input in error messages; import_aci(path) uses the path when empty.
  std::string source;
  /// Called once the whole input was read and checked, before anything is stored: an error
  /// stores nothing (e.g. the producer of a piped input failed after writing a valid tar).
  std::function<Result<void>()> before_commit;
};

/// rkt's content-addressed image store: ACI blobs under cas/blob keyed by the SHA-512 of the
/// uncompressed tar, indexed in SQLite (cas/db). Safe for concurrent processes and crashes:
/// - a blob is renamed into place and then its row is committed, both under the blob's flock
///   (cas/imagelocks/<key>); removal deletes the row first, then the blob, under the same lock;
/// - so a crash can leave only a blob without a row (never a row without a blob), or a temp file
///   in cas/tmp whose flock died with its process: recover() deletes both, and runs at the start
///   of every operation that adds or removes blobs.
class ImageStore {
 public:
  /// Opens the store under data dir `data_dir` (rkt's --dir), creating what is missing with
  /// rkt's modes and group.
  static Result<ImageStore> open(const std::filesystem::path& data_dir);
  ImageStore(ImageStore&&) noexcept;
  ImageStore& operator=(ImageStore&&) noexcept;
  ~ImageStore();

  /// Validates and imports an ACI file (plain tar or gzip/bzip2/xz/zstd) in one streaming pass.
  Result<ImageInfo> import_aci(const std::filesystem::path& aci_file,
                               const ImportOptions& options = {});
  /// Same, reading from an open descriptor (from its current offset; not closed).
  Result<ImageInfo> import_aci_fd(int fd, const ImportOptions& options = {});
  /// Same, reading an uncompressed ACI from an in-process stream (rkt's own docker conversion).
  Result<ImageInfo> import_aci_blocks(util::BlockReader reader, const ImportOptions& options = {});

  /// The image with store key `key` ("sha512-<64 hex>"; a longer full ID is cut to its key).
  Result<ImageInfo> get_by_key(std::string_view key);
  /// The one image whose ID starts with `prefix` ("sha512-" + at least 2 hex digits).
  /// Several: ErrorKind::conflict; none: ErrorKind::not_found.
  Result<ImageInfo> resolve_id_prefix(std::string_view prefix);
  /// rkt's lookup by name: images named `name` whose labels include all of `labels`; without a
  /// `version` label prefer those fetched as latest; then the newest import.
  Result<ImageInfo> find_by_name(std::string_view name, const appc::Labels& labels);
  /// Every image, oldest import first.
  Result<std::vector<ImageInfo>> list();

  /// Where the blob of `key` lives (whether or not it exists).
  std::filesystem::path blob_path(std::string_view key) const;
  /// Opens the blob (the uncompressed tar) read-only and records the use, as rkt's ReadStream.
  Result<UniqueFd> open_blob(std::string_view key);
  /// The blob's lock: hold it shared while reading a blob so remove() and gc wait for you.
  Result<util::LockFile> lock_image(std::string_view key, util::LockMode mode);
  /// Records a use of the image now (image gc keeps recently used images).
  Result<void> touch_last_used(std::string_view key);
  /// Removes the image's row (and remote rows) and then its blob.
  Result<void> remove(std::string_view key);
  /// Records the size of the image's rendered tree (tree store).
  Result<void> set_tree_size(std::string_view key, uint64_t size);

  /// The HTTP cache data of `aci_url`, if it was downloaded before.
  Result<std::optional<RemoteInfo>> get_remote(std::string_view aci_url);
  Result<void> put_remote(const RemoteInfo& remote);

  /// A locked temp file in cas/tmp for a download in progress (recover() leaves it alone while
  /// it is alive); feed it to import_aci_fd afterwards.
  Result<StoreTempFile> create_temp_file(std::string_view prefix = "download-");
  /// Deletes leftovers of crashed processes: stale cas/tmp entries, blobs without rows and rows
  /// without blobs. Cheap: one directory scan and one index query.
  Result<void> recover();

  const StorePaths& paths() const { return m_paths; }

 private:
  ImageStore(StorePaths paths, std::optional<gid_t> group, std::unique_ptr<StoreIndex> index);
  Result<ImageInfo> import_from(Decompressor& in, const ImportOptions& options);
  Result<ImageInfo> commit_blob(StoreTempFile& temp, const StreamedAci& aci,
                                const ImportOptions& options);
  Result<void> remove_orphan_blob(const std::string& key);
  Result<void> remove_orphan_row(const std::string& key);

  StorePaths m_paths;
  std::optional<gid_t> m_group;
  std::unique_ptr<StoreIndex> m_index;
};

}  // namespace rkt::store

#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/docker/image_manifest_v2.hpp"
#include "image/docker/layer_progress.hpp"
#include "image/docker/registry_client.hpp"
#include "util/file_feed.hpp"
#include "util/lock_file.hpp"
#include "util/result.hpp"

namespace rkt::image::docker {

/// Docker blobs (layers and configs) kept by digest under D/cas/docker/sha256/<hex>, as
/// downloaded (compressed), so a new tag that shares layers downloads only the new ones (rkt
/// downloaded every layer again). A blob enters the cache only after its digest checked out;
/// until then it is a resumable download in D/cas/downloads. D/cas/docker/images/<image key>
/// lists the blobs a stored image was made of: `rkt image gc` keeps those and drops the rest.
/// A fetch holds D/cas/docker/lock shared from its first download until its image is stored
/// and recorded; gc takes it exclusively, so it never drops a blob a fetch is about to use.
class LayerCache {
 public:
  /// Blobs by digest, readable while they download.
  using Feeds = std::map<std::string, std::shared_ptr<util::FileFeed>>;

  /// D/cas/docker (created with the store's modes on first use), locked shared.
  static Result<LayerCache> open(const std::filesystem::path& cas_dir);

  std::filesystem::path path_of(const std::string& digest) const;
  bool has(const std::string& digest) const;

  /// Downloads whatever of `blobs` is missing, up to `parallel` at a time and in the order
  /// given, with a progress row per blob ("Downloading sha256:<11 hex>: [====] size/size", as
  /// rkt printed). Each of `feeds` follows its blob: what arrived, then whole (checked and in the
  /// cache) or failed; all of them are settled when this returns.
  Result<void> ensure(RegistryClient& registry, const std::vector<Descriptor>& blobs,
                      size_t parallel, const Feeds& feeds);
  /// Records that stored image `image_key` was made of `digests` (its layers and config).
  Result<void> record(const std::string& image_key, const std::vector<std::string>& digests);

 private:
  LayerCache(std::filesystem::path dir, std::filesystem::path downloads, util::LockFile lock)
      : m_dir(std::move(dir)), m_downloads(std::move(downloads)), m_lock(std::move(lock)) {}
  Result<void> download(RegistryClient& registry, const Descriptor& blob, LayerProgress& progress,
                        size_t row, util::FileFeed* feed);
  /// Settles the feed of each of `blobs` that is not yet: whole if it is in the cache, else
  /// failed (after `failure`, if any).
  void settle(const Feeds& feeds, const std::vector<Descriptor>& blobs,
              const std::optional<Error>& failure) const;

  std::filesystem::path m_dir;
  std::filesystem::path m_downloads;
  util::LockFile m_lock;
};

}  // namespace rkt::image::docker

#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "image/docker/image_manifest_v2.hpp"
#include "image/docker/registry_client.hpp"
#include "util/result.hpp"

namespace rkt::image::docker {

/// Docker blobs (layers and configs) kept by digest under D/cas/docker/sha256/<hex>, as
/// downloaded (compressed), so a new tag that shares layers downloads only the new ones (rkt
/// downloaded every layer again). A blob enters the cache only after its digest checked out.
class LayerCache {
 public:
  explicit LayerCache(std::filesystem::path dir) : m_dir(std::move(dir)) {}
  /// D/cas/docker, created with the store's modes on first use.
  static Result<LayerCache> open(const std::filesystem::path& cas_dir);

  std::filesystem::path path_of(const std::string& digest) const;
  bool has(const std::string& digest) const;

  /// Downloads whatever of `blobs` is missing, up to `parallel` at a time, printing one
  /// "Downloading sha256:<11 hex>: [====] size/size" line per blob as rkt did.
  Result<void> ensure(RegistryClient& registry, const std::vector<Descriptor>& blobs,
                      size_t parallel = 4);

 private:
  Result<void> download(RegistryClient& registry, const Descriptor& blob);
  std::filesystem::path m_dir;
};

}  // namespace rkt::image::docker

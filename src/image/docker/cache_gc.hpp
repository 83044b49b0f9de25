#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "util/result.hpp"

namespace rkt::image::docker {

/// What `rkt image gc` removed from D/cas/docker and D/cas/downloads.
struct DockerGcResult {
  size_t blobs = 0;
  size_t downloads = 0;
  bool busy = false;  // a fetch held the layer cache: its blobs were left alone
};

/// Drops cached docker blobs that no image in the store (`is_stored(key)`) was made of, and
/// partial downloads that no fetch holds and that were last written more than `stale` ago.
Result<DockerGcResult> gc_docker_cache(const std::filesystem::path& cas_dir,
                                       const std::function<bool(const std::string&)>& is_stored,
                                       std::chrono::seconds stale);

}  // namespace rkt::image::docker

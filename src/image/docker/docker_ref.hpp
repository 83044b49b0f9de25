#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace rkt::image::docker {

/// docker://[REGISTRY[:PORT]/]NAME[:TAG|@DIGEST], normalized as Docker does.
struct DockerRef {
  std::string registry;    // "registry-1.docker.io" by default
  std::string repository;  // "library/busybox" for a one-component Docker Hub name
  std::string tag;         // "latest" unless a tag or digest is given
  std::string digest;      // "sha256:<hex>" when pinned

  /// The tag or digest, as the manifest endpoint takes it.
  const std::string& reference() const { return digest.empty() ? tag : digest; }
  /// "docker://registry/repository:tag" (or "@digest"): the store's remote key.
  std::string canonical() const;
};

/// Parses "docker://..." or "docker:..." (or a bare reference).
Result<DockerRef> parse_docker_ref(std::string_view text);

}  // namespace rkt::image::docker

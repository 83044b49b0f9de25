#pragma once

#include <filesystem>

#include "config/insecure_options.hpp"
#include "image/http_client.hpp"
#include "image/pull_policy.hpp"
#include "store/image_store.hpp"
#include "trust/keystore.hpp"

namespace rkt::image {

/// What a fetch is for. `rkt fetch` only stores the image (as rkt did); the first pod that uses
/// it renders its tree. A pod's own fetch of a Docker image, whose tree is needed right after,
/// extracts the tree from the same stream as the import rather than from the stored blob (pods
/// are prepared as root, which trees need: they keep file owners).
enum class FetchPurpose { store, pod };

/// What the remote fetchers (URLs, discovery, docker) share for one `rkt fetch` or `rkt run`.
struct FetchContext {
  store::ImageStore& store;
  const trust::Keystore& keystore;
  const HttpClient& client;
  config::InsecureOptions insecure;
  PullPolicy policy;
  bool trust_keys_from_https = false;
  FetchPurpose purpose = FetchPurpose::store;
};

/// D/cas/downloads: resumable downloads in progress (created on first use, group rkt).
Result<std::filesystem::path> downloads_dir(const store::ImageStore& store);

}  // namespace rkt::image

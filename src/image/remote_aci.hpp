#pragma once

#include <optional>
#include <string>

#include "appc/types.hpp"
#include "image/fetch_context.hpp"
#include "store/image_info.hpp"

namespace rkt::image {

/// An ACI on a web server, with what it must turn out to be.
struct RemoteAci {
  std::string aci_url;
  std::string asc_url;
  bool latest = false;                 // fetched without a version label
  std::string expected_name;           // discovery: the manifest must carry this name ...
  appc::Labels expected_labels;        // ... and these labels with these values
};

/// The image a URL was downloaded into before, if the store still has it.
Result<std::optional<store::ImageInfo>> stored_remote_image(store::ImageStore& store,
                                                             const std::string& aci_url);

/// Gets an ACI over HTTP(S) into the store: reuses the stored copy while Cache-Control allows or
/// the server answers 304 to its ETag; else downloads the signature (a 202 defers it until the
/// image is in, as Quay did), downloads the image (resuming an interrupted download), checks
/// the manifest and the signature, and imports it. Nothing is stored unless all checks pass.
/// Does not render and does not fetch dependencies.
Result<store::ImageInfo> fetch_remote_aci(const FetchContext& context, const RemoteAci& remote);

}  // namespace rkt::image

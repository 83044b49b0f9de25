#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "util/file_feed.hpp"
#include "util/result.hpp"

namespace rkt::image::docker {

/// Writes an uncompressed ACI tar to `sink`, block by block: `manifest_json` as "manifest", then
/// the union of the layer tars (given bottom first, any compression) under "rootfs/", as Docker
/// would have stacked them: an upper layer's entry hides the lower ones at that path (and below
/// it, unless it is a directory; a path with entries below it in an upper layer is a directory),
/// ".wh.NAME" deletes NAME of the layers below, ".wh..wh..opq" empties its directory of the layers
/// below. One pass over each layer, top layer first: each layer's visible entries come in that
/// layer's order, so a child may come before a lower layer's entry for its directory.
/// A layer may still be downloading: the squash reads what has arrived and waits for the rest,
/// and succeeds only once every layer is whole.
using TarSink = std::function<Result<void>(std::span<const char>)>;
using LayerFeeds = std::vector<std::shared_ptr<util::FileFeed>>;
Result<void> squash_layers(const LayerFeeds& layers, std::string_view manifest_json,
                           const TarSink& sink);

/// "a/b" from "./a/b/", "/a/b" or "a/b": the path docker layers mean ("" for the root).
std::string normalize_layer_path(std::string_view path);

}  // namespace rkt::image::docker

#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace rkt::image::docker {

/// Writes an uncompressed ACI tar to each of `out_fds` (in turn, block by block): `manifest_json`
/// as "manifest", then the union of
/// the layer tars (bottom first, any compression) under "rootfs/", as Docker would have stacked
/// them: an upper layer's entry hides the lower ones at that path (and below it, unless it is a
/// directory), ".wh.NAME" deletes NAME of the layers below, ".wh..wh..opq" empties its directory
/// of the layers below. Directories come first, parents before children.
Result<void> squash_layers(const std::vector<std::filesystem::path>& layers,
                           std::string_view manifest_json, const std::vector<int>& out_fds);

/// "a/b" from "./a/b/", "/a/b" or "a/b": the path docker layers mean ("" for the root).
std::string normalize_layer_path(std::string_view path);

}  // namespace rkt::image::docker

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "appc/types.hpp"
#include "util/result.hpp"

namespace rkt::store {

/// The largest manifest we read; real ones are a few KiB.
inline constexpr size_t k_max_manifest_size = 1 << 20;

/// What one pass over an ACI learned.
struct StreamedAci {
  std::string sha512_hex;  // of the whole uncompressed stream (the tar and anything after it)
  uint64_t size = 0;       // uncompressed bytes
  std::string manifest_json;
  appc::ImageManifest manifest;
};

class Decompressor;
/// Reads an ACI from `in` (a file's content decompressed, or rkt's own stream) in one streaming
/// pass: copies the uncompressed bytes to `out_fd` while hashing them, checks the appc layout
/// entry by entry and parses the manifest. `source` names the input in errors.
Result<StreamedAci> stream_aci(Decompressor& in, int out_fd, std::string_view source);

}  // namespace rkt::store

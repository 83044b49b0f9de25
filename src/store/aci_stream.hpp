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

/// Reads an ACI (plain tar, or gzip/bzip2/xz/zstd compressed) from `in_fd` in one streaming
/// pass: decompresses it, copies the uncompressed bytes to `out_fd` while hashing them, checks the
/// appc layout entry by entry and parses the manifest. `source` names the input in errors.
Result<StreamedAci> stream_aci(int in_fd, int out_fd, std::string_view source);
/// The same over an opened decompressor.
class Decompressor;
Result<StreamedAci> stream_aci(Decompressor& in, int out_fd, std::string_view source);

}  // namespace rkt::store

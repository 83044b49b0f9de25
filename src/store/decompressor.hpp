#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "util/block_broadcast.hpp"
#include "util/result.hpp"

namespace rkt::store {

/// The compressions an ACI may use (appc: gzip, bzip2, xz; rkt's docker path adds zstd).
enum class StreamCompression { none, gzip, bzip2, xz, zstd };

/// Recognises a compression by its magic bytes; anything else is taken as uncompressed.
StreamCompression detect_compression(std::span<const char> head);

/// Streams the uncompressed content of a file descriptor, block by block. Gzip goes through
/// zlib directly (libarchive's gzip reader does not check the CRC, so a corrupt stream would be
/// imported under another ID); bzip2, xz and zstd through libarchive, whose libraries verify
/// their own checksums; plain data is read as is.
class Decompressor {
 public:
  /// Reads the first block of `fd` to pick the decompressor. `source` names the file in errors.
  static Result<std::unique_ptr<Decompressor>> open(int fd, std::string_view source);
  /// The blocks of `reader` as they come: an uncompressed stream (from within rkt).
  static std::unique_ptr<Decompressor> plain(util::BlockReader reader, std::string_view source);
  virtual ~Decompressor() = default;

  /// The next block of uncompressed bytes, valid until the next call; empty at the end.
  /// Errors read "decompressing <source>: <reason>".
  virtual Result<std::span<const char>> next() = 0;
  virtual StreamCompression compression() const = 0;
};

}  // namespace rkt::store

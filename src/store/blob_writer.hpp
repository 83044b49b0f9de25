#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "util/digest.hpp"
#include "util/result.hpp"

namespace rkt::store {

/// What a BlobWriter saw.
struct BlobDigest {
  std::string sha512_hex;
  uint64_t size = 0;
};

/// Hashes (SHA-512) and writes a byte stream to a file on a worker thread, so that hashing and
/// writing overlap with the caller's decompression: an import costs about as much as the
/// decompression alone. Data is copied into a few large chunks; the caller blocks only when the
/// worker is behind. Starts writeback early (sync_file_range) so the final fsync is short.
class BlobWriter {
 public:
  BlobWriter(int fd, std::string_view source);
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;
  ~BlobWriter();

  /// Queues `size` bytes; fails if an earlier write failed.
  Result<void> write(const void* data, size_t size);
  /// Writes what is queued, stops the worker, and returns the digest of everything written.
  Result<BlobDigest> finish();

 private:
  struct Chunk {
    std::vector<char> bytes;
    size_t used = 0;
  };
  std::unique_ptr<Chunk> take_free_chunk();
  void submit(std::unique_ptr<Chunk> chunk);
  void run_worker();
  /// Hashes and writes one chunk (on the worker, or inline if no thread could be started).
  Result<void> process(const Chunk& chunk);
  void stop_worker();

  int m_fd;
  std::string_view m_source;
  uint64_t m_total = 0;
  std::unique_ptr<Chunk> m_current;

  std::mutex m_mutex;
  std::condition_variable m_work_ready;
  std::condition_variable m_chunk_free;
  std::deque<std::unique_ptr<Chunk>> m_full;
  std::vector<std::unique_ptr<Chunk>> m_free;
  std::optional<Error> m_error;
  bool m_closing = false;
  bool m_abandoned = false;

  // Touched only by the worker (or inline).
  util::Digest m_digest;
  uint64_t m_written = 0;
  uint64_t m_synced = 0;

  std::thread m_worker;
  bool m_inline = false;
};

}  // namespace rkt::store

#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstdlib>
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

/// Hashes (SHA-512) and writes a byte stream to a file on two worker threads, one hashing and one
/// writing each chunk, so that both overlap with each other and with the caller's decompression:
/// an import costs about as much as the slowest of the three. Data is copied into a few large
/// chunks; the caller blocks only when the workers are behind. Full chunks are written past the
/// page cache (O_DIRECT) where the filesystem allows: a blob is written once and read much later,
/// and filling the page cache with it costs more than the write (page allocation, then
/// writeback). Elsewhere it starts writeback early (sync_file_range) so the final fsync is short.
class BlobWriter {
 public:
  BlobWriter(int fd, std::string_view source);
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;
  ~BlobWriter();

  /// Queues `size` bytes; fails if an earlier write failed.
  Result<void> write(const void* data, size_t size);
  /// Writes what is queued, stops the workers, and returns the digest of everything written.
  Result<BlobDigest> finish();

 private:
  struct Chunk {
    std::unique_ptr<char, decltype(&std::free)> bytes{nullptr, &std::free};  // page-aligned
    size_t used = 0;
    int stages_left = 0;  // workers still to see it (under m_mutex)
  };
  enum class Stage { hash, write };

  Chunk* take_free_chunk();
  void submit(Chunk* chunk);
  void run_stage(Stage stage);
  /// One stage's work on a chunk (on its worker, or inline if no thread could be started).
  Result<void> process(Stage stage, const Chunk& chunk);
  Result<void> write_out(const Chunk& chunk);
  void stop_workers();

  int m_fd;
  std::string_view m_source;
  uint64_t m_total = 0;
  std::vector<std::unique_ptr<Chunk>> m_chunks;  // owns them all
  Chunk* m_current = nullptr;

  std::mutex m_mutex;
  std::condition_variable m_work_ready;  // both workers wait on it: notify_all
  std::condition_variable m_chunk_free;
  std::deque<Chunk*> m_to_hash;
  std::deque<Chunk*> m_to_write;
  std::vector<Chunk*> m_free;
  std::optional<Error> m_error;
  bool m_closing = false;

  util::Digest m_digest;   // the hashing worker's (or inline)
  uint64_t m_written = 0;  // the writing worker's (or inline)
  uint64_t m_synced = 0;
  bool m_direct = false;  // the writing worker's: O_DIRECT is on

  std::thread m_hasher;
  std::thread m_writer;
  bool m_inline = false;
};

}  // namespace rkt::store

#include "store/blob_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <system_error>
#include <utility>

#include "util/bulk_sha512.hpp"

namespace rkt::store {

namespace {

constexpr size_t k_chunk_size = 1 << 20;
/// What O_DIRECT asks of buffers, sizes and offsets (the largest logical block size in use).
constexpr size_t k_direct_alignment = 4096;
constexpr size_t k_chunk_count = 8;
/// Start writeback every this many bytes so the final fsync has little left to do.
constexpr uint64_t k_writeback_chunk = 32ull << 20;

/// Turns O_DIRECT on or off for `fd`; false where the filesystem refuses it.
bool set_direct(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return false;
  int wanted = on ? flags | O_DIRECT : flags & ~O_DIRECT;
  return wanted == flags || ::fcntl(fd, F_SETFL, wanted) == 0;
}

}  // namespace

BlobWriter::BlobWriter(int fd, std::string_view source)
    : m_fd(fd), m_source(source), m_digest(util::bulk_sha512()), m_direct(set_direct(fd, true)) {
  for (size_t i = 0; i < k_chunk_count; ++i) {
    auto chunk = std::make_unique<Chunk>();
    chunk->bytes.reset(static_cast<char*>(std::aligned_alloc(k_direct_alignment, k_chunk_size)));
    if (!chunk->bytes) throw std::bad_alloc();
    m_free.push_back(chunk.get());
    m_chunks.push_back(std::move(chunk));
  }
  try {
    m_hasher = std::thread([this] { run_stage(Stage::hash); });
    m_writer = std::thread([this] { run_stage(Stage::write); });
  } catch (const std::system_error&) {
    stop_workers();
    m_closing = false;
    m_inline = true;  // no threads available: same work, just not overlapped
  }
}

BlobWriter::~BlobWriter() {
  stop_workers();
}

void BlobWriter::stop_workers() {
  {
    std::lock_guard lock(m_mutex);
    m_closing = true;
  }
  m_work_ready.notify_all();
  if (m_hasher.joinable()) m_hasher.join();
  if (m_writer.joinable()) m_writer.join();
}

BlobWriter::Chunk* BlobWriter::take_free_chunk() {
  std::unique_lock lock(m_mutex);
  m_chunk_free.wait(lock, [&] { return !m_free.empty() || m_error; });
  if (m_error) return nullptr;
  Chunk* chunk = m_free.back();
  m_free.pop_back();
  chunk->used = 0;
  return chunk;
}

void BlobWriter::submit(Chunk* chunk) {
  if (m_inline) {
    m_digest.update(chunk->bytes.get(), chunk->used);
    auto r = write_out(*chunk);
    std::lock_guard lock(m_mutex);
    if (!r && !m_error) m_error = std::move(r).error();
    m_free.push_back(chunk);
    return;
  }
  {
    std::lock_guard lock(m_mutex);
    chunk->stages_left = 2;
    m_to_hash.push_back(chunk);
    m_to_write.push_back(chunk);
  }
  m_work_ready.notify_all();
}

Result<void> BlobWriter::write(const void* data, size_t size) {
  m_total += size;
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    if (!m_current) m_current = take_free_chunk();
    if (!m_current) break;  // the writer failed; report below
    size_t n = std::min(size, k_chunk_size - m_current->used);
    std::copy_n(bytes, n, m_current->bytes.get() + m_current->used);
    m_current->used += n;
    bytes += n;
    size -= n;
    if (m_current->used == k_chunk_size) submit(std::exchange(m_current, nullptr));
  }
  std::lock_guard lock(m_mutex);
  if (m_error) return *m_error;
  return {};
}

Result<BlobDigest> BlobWriter::finish() {
  if (m_current && m_current->used > 0) submit(std::exchange(m_current, nullptr));
  stop_workers();
  if (m_direct) set_direct(m_fd, false);
  if (m_error) return *m_error;
  return BlobDigest{m_digest.hex(), m_total};
}

/// A worker: takes the chunks of its stage in order; the last stage to finish a chunk frees it.
void BlobWriter::run_stage(Stage stage) {
  std::deque<Chunk*>& queue = stage == Stage::hash ? m_to_hash : m_to_write;
  while (true) {
    Chunk* chunk = nullptr;
    bool failed = false;
    {
      std::unique_lock lock(m_mutex);
      m_work_ready.wait(lock, [&] { return !queue.empty() || m_closing; });
      if (queue.empty()) return;  // closing and nothing left
      chunk = queue.front();
      queue.pop_front();
      failed = m_error.has_value();
    }
    auto r = failed ? Result<void>() : process(stage, *chunk);
    bool freed = false;
    {
      std::lock_guard lock(m_mutex);
      if (!r && !m_error) m_error = std::move(r).error();
      if (--chunk->stages_left == 0) {
        m_free.push_back(chunk);
        freed = true;
      }
    }
    if (freed || !r) m_chunk_free.notify_one();
  }
}

Result<void> BlobWriter::process(Stage stage, const Chunk& chunk) {
  if (stage == Stage::hash) {
    m_digest.update(chunk.bytes.get(), chunk.used);
    return {};
  }
  return write_out(chunk);
}

Result<void> BlobWriter::write_out(const Chunk& chunk) {
  const char* data = chunk.bytes.get();
  size_t size = chunk.used;
  while (size > 0) {
    if (m_direct && (size % k_direct_alignment != 0 || m_written % k_direct_alignment != 0)) {
      m_direct = !set_direct(m_fd, false);  // the tail goes through the page cache
    }
    ssize_t n = ::write(m_fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EINVAL && m_direct) {  // refused after all
      m_direct = !set_direct(m_fd, false);
      if (!m_direct) continue;
    }
    if (n < 0) return Error::from_errno(errno, "writing the image blob of {}", m_source);
    data += n;
    size -= static_cast<size_t>(n);
    m_written += static_cast<uint64_t>(n);
  }
  if (!m_direct && m_written - m_synced >= k_writeback_chunk) {
    // Best effort (not every filesystem supports it); the fsync before the rename is what
    // makes the blob durable.
    ::sync_file_range(m_fd, static_cast<off64_t>(m_synced),
                      static_cast<off64_t>(m_written - m_synced), SYNC_FILE_RANGE_WRITE);
    m_synced = m_written;
  }
  return {};
}

}  // namespace rkt::store

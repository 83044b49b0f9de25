#pragma once

// In-process byte streams made of blocks: one producer, several readers that each see every
// block, without the copies a pipe per reader costs (each byte into and out of the kernel, per
// reader): the producer copies each byte once into a shared block, readers get pointers to it.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace rkt::util {

/// The next block of a stream, valid until the next call; empty at the end.
using BlockReader = std::function<Result<std::span<const char>>()>;

/// One producer, `readers` readers, each reading every block in order. The producer waits while
/// the slowest reader still holds a block `depth` blocks back.
class BlockBroadcast {
 public:
  explicit BlockBroadcast(size_t readers, size_t block_size = 1 << 20, size_t depth = 8);
  BlockBroadcast(const BlockBroadcast&) = delete;
  BlockBroadcast& operator=(const BlockBroadcast&) = delete;

  /// Producer: appends `data`. Fails once every reader has left.
  Result<void> write(std::span<const char> data);
  /// Producer: the end of the stream; with `failure`, readers get that error instead.
  void finish(std::optional<Error> failure = std::nullopt);

  /// Reader `index`'s view of the stream (it must not outlive this object).
  BlockReader reader(size_t index);
  /// Reader `index` reads no more: the producer stops waiting for it.
  void leave(size_t index);

 private:
  struct Slot {
    std::string bytes;
    size_t used = 0;
  };
  Result<std::span<const char>> next(size_t index);
  bool free_for(uint64_t block) const;  // whether `block` may be written into its slot
  bool anyone_reading() const;
  void publish(std::unique_lock<std::mutex>& lock);

  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::vector<Slot> m_slots;
  std::vector<uint64_t> m_next;      // per reader: the block it reads next
  std::vector<uint64_t> m_released;  // per reader: every block before this one is released
  std::vector<bool> m_active;
  uint64_t m_published = 0;  // blocks readers may read; the producer fills this one
  bool m_filling = false;    // the producer owns the slot of block m_published
  bool m_finished = false;
  std::optional<Error> m_failure;
};

}  // namespace rkt::util

#include "util/block_broadcast.hpp"

#include <algorithm>
#include <cstring>

namespace rkt::util {

BlockBroadcast::BlockBroadcast(size_t readers, size_t block_size, size_t depth)
    : m_slots(depth), m_next(readers, 0), m_released(readers, 0), m_active(readers, true) {
  for (Slot& slot : m_slots) slot.bytes.resize(block_size);
}

bool BlockBroadcast::free_for(uint64_t block) const {
  if (block < m_slots.size()) return true;
  uint64_t previous = block - m_slots.size();  // the block this slot held before
  for (size_t r = 0; r < m_active.size(); ++r) {
    if (m_active[r] && m_released[r] <= previous) return false;
  }
  return true;
}

bool BlockBroadcast::anyone_reading() const {
  return std::find(m_active.begin(), m_active.end(), true) != m_active.end();
}

void BlockBroadcast::publish(std::unique_lock<std::mutex>&) {
  ++m_published;
  m_filling = false;
  m_changed.notify_all();
}

Result<void> BlockBroadcast::write(std::span<const char> data) {
  while (!data.empty()) {
    if (!m_filling) {
      std::unique_lock lock(m_mutex);
      m_changed.wait(lock, [&] { return !anyone_reading() || free_for(m_published); });
      if (!anyone_reading()) return Error::make(ErrorKind::io, "every reader of the stream left");
      m_filling = true;
      m_slots[m_published % m_slots.size()].used = 0;
    }
    // The slot being filled is no reader's: it is copied into without the lock.
    Slot& slot = m_slots[m_published % m_slots.size()];
    size_t n = std::min(data.size(), slot.bytes.size() - slot.used);
    std::memcpy(slot.bytes.data() + slot.used, data.data(), n);
    slot.used += n;
    data = data.subspan(n);
    if (slot.used == slot.bytes.size()) {
      std::unique_lock lock(m_mutex);
      publish(lock);
    }
  }
  return {};
}

void BlockBroadcast::finish(std::optional<Error> failure) {
  std::unique_lock lock(m_mutex);
  if (m_filling && !failure && m_slots[m_published % m_slots.size()].used > 0) publish(lock);
  m_filling = false;
  m_finished = true;
  m_failure = std::move(failure);
  m_changed.notify_all();
}

Result<std::span<const char>> BlockBroadcast::next(size_t index) {
  std::unique_lock lock(m_mutex);
  m_released[index] = m_next[index];  // the block returned last time is done with
  m_changed.notify_all();
  m_changed.wait(lock, [&] { return m_next[index] < m_published || m_finished; });
  if (m_failure) return *m_failure;
  if (m_next[index] >= m_published) return std::span<const char>();
  const Slot& slot = m_slots[m_next[index]++ % m_slots.size()];
  return std::span<const char>(slot.bytes.data(), slot.used);
}

BlockReader BlockBroadcast::reader(size_t index) {
  return [this, index] { return next(index); };
}

void BlockBroadcast::leave(size_t index) {
  std::unique_lock lock(m_mutex);
  m_active[index] = false;
  m_changed.notify_all();
}

}  // namespace rkt::util

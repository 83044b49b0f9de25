#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sys/user_namespace.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// --private-users: each pod gets 65536 UIDs and GIDs (rkt's DefaultRangeCount), aligned on
/// 65536, starting at slot 10 (host UID 655360) so that the host's own users stay outside.
inline constexpr uint32_t k_id_range_size = 0x10000;
inline constexpr uint32_t k_first_id_slot = 10;
inline constexpr uint32_t k_id_slot_count = 0xFFFF - k_first_id_slot;  // the last ends < 2^32-1

/// The ID range of slot `index` (0 .. k_id_slot_count-1).
sys::IdRange id_range_of_slot(uint32_t index);

/// Which pod holds which range: one file per claimed range, `<dir>/<base>`, holding the pod's
/// UUID. A claim is a hard link of a complete temporary file (link(2) fails if the name exists),
/// so two pods prepared at once can never get the same range, without a lock; the claim is
/// released when the pod is deleted (gc, rm).
class IdRangeRegistry {
 public:
  explicit IdRangeRegistry(std::filesystem::path dir) : m_dir(std::move(dir)) {}

  /// Claims the first free range for `uuid`, searching the slots from `first_slot` on (rkt
  /// picked a random range; callers pass a random slot).
  Result<sys::IdRange> claim(std::string_view uuid, uint32_t first_slot) const;
  /// Frees `range` if `uuid` holds it (a claim of another pod is left alone).
  Result<void> release(const sys::IdRange& range, std::string_view uuid) const;
  /// The claimed ranges and their pods, by base.
  Result<std::vector<std::pair<sys::IdRange, std::string>>> claims() const;

  const std::filesystem::path& dir() const { return m_dir; }

 private:
  std::filesystem::path m_dir;
};

/// A random slot to start a claim from.
uint32_t random_id_slot();

}  // namespace rkt::pod

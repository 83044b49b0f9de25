#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sys/namespaces.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::sys {

/// A contiguous range of host IDs a user namespace maps from 0: inside ID n is outside
/// `base + n`, for n < `count`. Used for both UIDs and GIDs (rkt's UidRange).
struct IdRange {
  uint32_t base = 0;
  uint32_t count = 0;
  bool operator==(const IdRange&) const = default;
  /// Whether the two ranges share an ID.
  bool overlaps(const IdRange& other) const;
  /// The host ID of inside ID `id` (which must be < count).
  uint32_t outside(uint32_t id) const { return base + id; }
};

/// "BASE:COUNT", rkt's serialisation (the private-users-prepared file, --private-users=).
std::string format_id_range(const IdRange& range);
/// Parses "BASE:COUNT"; COUNT must be positive and BASE+COUNT must stay below 2^32-1.
Result<IdRange> parse_id_range(std::string_view text);
/// The uid_map/gid_map line of a range: "0 BASE COUNT\n".
std::string id_map_line(const IdRange& range);

/// A new user namespace mapping `range` (UIDs and GIDs), with namespaces of the other `owned`
/// types created at the same time and therefore owned by it. The namespaces live as long as
/// these descriptors (the helper process that made them is gone when this returns).
struct UserNamespace {
  UniqueFd user;
  std::vector<std::pair<Namespace, UniqueFd>> owned;  // pid: the namespace for children
};
Result<UserNamespace> create_user_namespace(const IdRange& range,
                                            const std::vector<Namespace>& owned = {});

/// Joins a user namespace (last: afterwards the caller has no privilege over the namespaces
/// of the parent user namespace) and becomes its root (uid 0, gid 0, no supplementary groups).
Result<void> become_root_of(const UniqueFd& user_namespace);

}  // namespace rkt::sys

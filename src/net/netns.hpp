#pragma once

#include <filesystem>
#include <string_view>

#include "util/result.hpp"

namespace rkt::net {

namespace fs = std::filesystem;

/// Where pod network namespaces are bind-mounted (as `ip netns` does, so `ip netns exec` works).
inline constexpr const char* k_netns_dir = "/run/netns";

/// /run/netns/rkt-<uuid>.
fs::path pod_netns_path(std::string_view uuid);

/// Creates a new network namespace and bind-mounts it on `path` (a new empty file) in the
/// caller's mount namespace, so that it outlives every process in it until remove_netns.
Result<void> create_netns(const fs::path& path);

/// Unmounts and removes a namespace made by create_netns; a missing one is not an error.
Result<void> remove_netns(const fs::path& path);

}  // namespace rkt::net

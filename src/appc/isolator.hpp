#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "appc/quantity.hpp"
#include "appc/types.hpp"
#include "util/result.hpp"

namespace rkt::appc {

inline constexpr std::string_view k_isolator_cpu = "resource/cpu";
inline constexpr std::string_view k_isolator_memory = "resource/memory";
inline constexpr std::string_view k_isolator_caps_retain = "os/linux/capabilities-retain-set";
inline constexpr std::string_view k_isolator_caps_remove = "os/linux/capabilities-remove-set";
inline constexpr std::string_view k_isolator_seccomp_retain = "os/linux/seccomp-retain-set";
inline constexpr std::string_view k_isolator_seccomp_remove = "os/linux/seccomp-remove-set";
inline constexpr std::string_view k_isolator_no_new_privileges = "os/linux/no-new-privileges";
inline constexpr std::string_view k_isolator_oom_score_adj = "os/linux/oom-score-adj";
inline constexpr std::string_view k_isolator_cpu_shares = "os/linux/cpu-shares";

/// resource/cpu: cores as milli-cores. appc: an omitted request defaults to the limit.
struct CpuResource {
  std::optional<int64_t> request_milli;
  std::optional<int64_t> limit_milli;
};
/// resource/memory in bytes. appc: an omitted request defaults to the limit.
struct MemoryResource {
  std::optional<int64_t> request_bytes;
  std::optional<int64_t> limit_bytes;
};

/// Whether a capability or seccomp set lists what is kept or what is taken away.
enum class SetMode { retain, remove };

/// os/linux/capabilities-{retain,remove}-set.
struct CapabilitySet {
  SetMode mode = SetMode::retain;
  std::vector<std::string> set;  // "CAP_..." names
};
/// os/linux/seccomp-{retain,remove}-set; empty errno means "kill with SIGSYS".
struct SeccompSet {
  SetMode mode = SetMode::retain;
  std::vector<std::string> set;  // syscall names and "@scope/name" wildcards
  std::string errno_name;
};

// Typed views. `path` prefixes error messages ("app.isolators[2]"); empty means the isolator name.
// Each fails when the isolator has another name or an invalid value.
Result<CpuResource> cpu_resource(const Isolator& isolator, std::string_view path = {});
Result<MemoryResource> memory_resource(const Isolator& isolator, std::string_view path = {});
Result<CapabilitySet> capability_set(const Isolator& isolator, std::string_view path = {});
Result<SeccompSet> seccomp_set(const Isolator& isolator, std::string_view path = {});
Result<bool> no_new_privileges(const Isolator& isolator, std::string_view path = {});
Result<int> oom_score_adj(const Isolator& isolator, std::string_view path = {});
Result<int64_t> cpu_shares(const Isolator& isolator, std::string_view path = {});

/// Whether rkt enforces isolators of this name (the ones above).
bool is_supported_isolator(std::string_view name);
/// Validates one isolator: its name is an AC identifier, and a supported isolator's value is valid.
Result<void> validate_isolator(const Isolator& isolator, std::string_view path);
/// Validates a list (`path` is e.g. "app.isolators"): every isolator, no supported isolator given
/// twice, and neither retain and remove capability sets nor retain and remove seccomp sets
/// together.
Result<void> validate_isolators(const std::vector<Isolator>& isolators, std::string_view path);
/// Names of the isolators rkt ignores (unknown or not implemented), once each, for warnings.
std::vector<std::string> unsupported_isolators(const std::vector<Isolator>& isolators);

/// The last isolator called `name` (appc's GetByName), or null.
const Isolator* find_isolator(const std::vector<Isolator>& isolators, std::string_view name);
/// Drops isolators named like `replacement` or any of `conflicting`, then appends `replacement`:
/// how command-line isolator flags override an image's.
void replace_isolator(std::vector<Isolator>& isolators, Isolator replacement,
                      const std::vector<std::string_view>& conflicting = {});

// Builders for command-line flags; each validates what it builds. Empty text omits the field.
Result<Isolator> make_cpu_isolator(std::string_view request, std::string_view limit);
Result<Isolator> make_memory_isolator(std::string_view request, std::string_view limit);
Result<Isolator> make_capability_isolator(SetMode mode, const std::vector<std::string>& set);
Result<Isolator> make_seccomp_isolator(SetMode mode, const std::vector<std::string>& set,
                                       std::string_view errno_name = {});
Isolator make_no_new_privileges_isolator(bool enabled);
Result<Isolator> make_oom_score_adj_isolator(int64_t value);
Result<Isolator> make_cpu_shares_isolator(int64_t value);

}  // namespace rkt::appc

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "appc/types.hpp"
#include "util/result.hpp"

namespace rkt::appc {

/// An os/arch pair in appc's terms (labels `os` and `arch`), e.g. linux/amd64.
struct OsArch {
  std::string os;
  std::string arch;
  bool operator==(const OsArch&) const = default;
};

/// The archs appc accepts for `os`; empty for an unknown os.
const std::vector<std::string_view>& valid_archs(std::string_view os);
/// The operating systems appc knows (linux, freebsd, darwin).
std::vector<std::string_view> valid_oses();
/// Whether os/arch is one of appc's valid pairs.
bool is_valid_os_arch(std::string_view os, std::string_view arch);

/// Maps a uname(2) machine name (x86_64, i686, aarch64, armv7l, ppc64le, ...) to appc's arch.
std::string appc_arch_from_machine(std::string_view machine);
/// Maps Go's GOARCH (+ GOARM variant, "v7") as found in docker images to appc's arch.
Result<std::string> appc_arch_from_go(std::string_view go_arch, std::string_view variant = {});
/// The host's os/arch in appc terms (from uname).
OsArch host_os_arch();

/// Checks the `os` and `arch` labels: os must be known, arch valid for it (arch alone is allowed:
/// it only means something with os). `field` names the label list in errors.
Result<void> validate_os_arch_labels(const Labels& labels, std::string_view field = "labels");

}  // namespace rkt::appc

#pragma once

#include <string_view>

#include "util/result.hpp"

namespace rkt::sys {

/// Brings a network interface of the caller's network namespace up (ip link set NAME up), e.g.
/// "lo" in a fresh namespace.
Result<void> set_interface_up(std::string_view name);

}  // namespace rkt::sys

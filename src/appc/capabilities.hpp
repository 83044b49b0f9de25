#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace rkt::appc {

/// Every Linux capability name ("CAP_CHOWN", ...), indexed by capability number.
const std::vector<std::string_view>& linux_capability_names();
/// The capability number of "CAP_..." (case-sensitive), if it is a Linux capability.
std::optional<int> capability_number(std::string_view name);
/// The 14 capabilities appc grants when an app has no capability isolator.
const std::vector<std::string_view>& default_capabilities();

}  // namespace rkt::appc

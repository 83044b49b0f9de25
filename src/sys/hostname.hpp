#pragma once

#include <string_view>

#include "util/result.hpp"

namespace rkt::sys {

/// sethostname(2) in the caller's UTS namespace.
Result<void> set_hostname(std::string_view name);

}  // namespace rkt::sys

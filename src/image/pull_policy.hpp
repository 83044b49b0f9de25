#pragma once

#include <string_view>

#include "util/result.hpp"

namespace rkt::image {

/// When to go to the network for an image (rkt's --pull-policy).
enum class PullPolicy {
  never,   // only the local store
  new_,    // the store if it has the image, else fetch
  update,  // always check the remote for a newer image
};

Result<PullPolicy> parse_pull_policy(std::string_view text);

}  // namespace rkt::image

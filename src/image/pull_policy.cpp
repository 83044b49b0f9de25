#include "image/pull_policy.hpp"

namespace rkt::image {

Result<PullPolicy> parse_pull_policy(std::string_view text) {
  if (text == "never") return PullPolicy::never;
  if (text == "new") return PullPolicy::new_;
  if (text == "update") return PullPolicy::update;
  return Error::make(ErrorKind::invalid_argument,
                     "invalid pull policy \"{}\" (expected never, new or update)", text);
}

}  // namespace rkt::image

#pragma once

namespace rkt::cli {

inline constexpr int k_exit_success = 0;
/// rkt's exit code for its own failures (as opposed to an app's exit status).
inline constexpr int k_exit_failure = 254;

}  // namespace rkt::cli

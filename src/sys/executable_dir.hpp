#pragma once

#include <filesystem>

#include "util/result.hpp"

namespace rkt::sys {

/// The directory of the running rkt binary (/proc/self/exe): where the build and the install put
/// the stage1 images and the helper binaries.
Result<std::filesystem::path> executable_dir();

}  // namespace rkt::sys

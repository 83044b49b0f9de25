#include "stage1/protected_paths.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rkt::stage1 {
namespace {

using ::testing::Contains;

TEST(ProtectedPathsTest, RktsLists) {
  EXPECT_THAT(read_only_kernel_paths(), Contains("/proc/sysrq-trigger"));
  EXPECT_THAT(read_only_kernel_paths(), Contains("/proc/sys"));
  EXPECT_THAT(read_only_kernel_paths(), Contains("/sys"));
  EXPECT_THAT(inaccessible_kernel_dirs(), Contains("/sys/firmware"));
  EXPECT_THAT(inaccessible_kernel_files(), Contains("/proc/kcore"));
  for (const auto* list :
       {&read_only_kernel_paths(), &inaccessible_kernel_dirs(), &inaccessible_kernel_files()}) {
    for (auto path : *list) {
      EXPECT_EQ(path.substr(0, 6) == "/proc/" || path.substr(0, 4) == "/sys", true) << path;
    }
  }
}

}  // namespace
}  // namespace rkt::stage1

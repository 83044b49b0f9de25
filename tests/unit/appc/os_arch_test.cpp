#include "appc/os_arch.hpp"

#include <gtest/gtest.h>

namespace rkt::appc {
namespace {

TEST(OsArch, ValidPairs) {
  EXPECT_TRUE(is_valid_os_arch("linux", "amd64"));
  EXPECT_TRUE(is_valid_os_arch("linux", "aarch64"));
  EXPECT_TRUE(is_valid_os_arch("linux", "ppc64le"));
  EXPECT_TRUE(is_valid_os_arch("darwin", "x86_64"));
  EXPECT_TRUE(is_valid_os_arch("freebsd", "arm"));
  EXPECT_FALSE(is_valid_os_arch("linux", "x86_64"));
  EXPECT_FALSE(is_valid_os_arch("darwin", "amd64"));
  EXPECT_FALSE(is_valid_os_arch("windows", "amd64"));
}

TEST(OsArch, MachineAndGoArchMapping) {
  EXPECT_EQ(appc_arch_from_machine("x86_64"), "amd64");
  EXPECT_EQ(appc_arch_from_machine("i686"), "i386");
  EXPECT_EQ(appc_arch_from_machine("aarch64"), "aarch64");
  EXPECT_EQ(appc_arch_from_machine("armv7l"), "armv7l");
  EXPECT_EQ(*appc_arch_from_go("amd64"), "amd64");
  EXPECT_EQ(*appc_arch_from_go("386"), "i386");
  EXPECT_EQ(*appc_arch_from_go("arm64"), "aarch64");
  EXPECT_EQ(*appc_arch_from_go("arm", "v6"), "armv6l");
  EXPECT_EQ(*appc_arch_from_go("arm", "v7"), "armv7l");
  EXPECT_FALSE(appc_arch_from_go("mips").has_value());
}

TEST(OsArch, HostIsValid) {
  OsArch host = host_os_arch();
  EXPECT_EQ(host.os, "linux");
  EXPECT_TRUE(is_valid_os_arch(host.os, host.arch)) << host.arch;
}

TEST(OsArch, ValidateLabels) {
  EXPECT_TRUE(validate_os_arch_labels({{"os", "linux"}, {"arch", "amd64"}}).has_value());
  EXPECT_TRUE(validate_os_arch_labels({{"arch", "whatever"}}).has_value());  // arch needs os
  EXPECT_TRUE(validate_os_arch_labels({}).has_value());
  auto bad_os = validate_os_arch_labels({{"os", "plan9"}});
  ASSERT_FALSE(bad_os.has_value());
  EXPECT_EQ(bad_os.error().message,
            "labels: bad os \"plan9\" (must be one of: darwin, freebsd, linux)");
  auto bad_arch = validate_os_arch_labels({{"os", "darwin"}, {"arch", "amd64"}}, "x.labels");
  ASSERT_FALSE(bad_arch.has_value());
  EXPECT_EQ(bad_arch.error().message,
            "x.labels: bad arch \"amd64\" for os \"darwin\" (must be one of: x86_64, i386)");
}

}  // namespace
}  // namespace rkt::appc

#include "sys/unix_address.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace rkt::sys {
namespace {

TEST(UnixAddress, HoldsThePathWhole) {
  auto address = unix_address("/run/rkt/metadata-svc.sock");
  ASSERT_TRUE(address);
  EXPECT_EQ(address->sun_family, AF_UNIX);
  EXPECT_STREQ(address->sun_path, "/run/rkt/metadata-svc.sock");
}

TEST(UnixAddress, RefusesAPathItWouldTruncate) {
  std::string fits(sizeof(sockaddr_un::sun_path) - 1, 'a');
  EXPECT_TRUE(unix_address(fits));
  EXPECT_FALSE(unix_address(fits + "a"));
}

}  // namespace
}  // namespace rkt::sys

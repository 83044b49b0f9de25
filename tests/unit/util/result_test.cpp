#include "util/result.hpp"

#include <gtest/gtest.h>

namespace {

rkt::Result<int> half(int n) {
  if (n % 2) return rkt::Error::make(rkt::ErrorKind::invalid_argument, "{} is odd", n);
  return n / 2;
}

rkt::Result<int> quarter(int n) {
  RKT_TRY_ASSIGN(int h, half(n));
  RKT_TRY_ASSIGN(int q, half(h));
  return q;
}

}  // namespace

TEST(Result, PropagatesValuesAndErrors) {
  EXPECT_EQ(*quarter(8), 2);
  auto failed = quarter(6);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "3 is odd");
  EXPECT_EQ(failed.error().kind, rkt::ErrorKind::invalid_argument);
}

TEST(Error, WrapAddsContextAndErrnoText) {
  auto e = rkt::Error::from_errno(ENOENT, "open `{}`", "/x").wrap("fetching {}", "img");
  EXPECT_EQ(e.message, "fetching img: open `/x`: No such file or directory");
  EXPECT_EQ(e.kind, rkt::ErrorKind::not_found);
}

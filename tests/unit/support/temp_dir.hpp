#pragma once

#include <gtest/gtest.h>

#include "util/file.hpp"

namespace rkt::test {

/// A fresh temporary directory for one test, removed afterwards.
inline util::TempDir make_temp_dir() {
  auto dir = util::TempDir::create({}, "rkt-unit-");
  EXPECT_TRUE(dir.has_value());
  return std::move(dir).value();
}

}  // namespace rkt::test

#!/usr/bin/env bash
# Set-up command (2) of the README, and what CI runs (.ci/run): installs what is needed, builds rkt
# and every test, then runs them all with ctest. Exits non-zero when anything fails.
#
#   scripts/test.sh [BUILD_DIR]      # default: $RKT_BUILD_DIR or build
#
# Extra ctest arguments can be passed in CTEST_ARGS, e.g. CTEST_ARGS="-L unit".
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-${RKT_BUILD_DIR:-build}}
jobs=${JOBS:-$(nproc)}
cd "$root"

if ((EUID == 0)); then
  scripts/install-deps.sh
else
  sudo scripts/install-deps.sh
fi

cmake -B "$build" -S . -DRKT_BUILD_TESTS=ON
cmake --build "$build" -j"$jobs"

# shellcheck disable=SC2086  # CTEST_ARGS is a list of words on purpose
ctest --test-dir "$build" --output-on-failure ${CTEST_ARGS:-}

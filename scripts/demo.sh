#!/usr/bin/env bash
# Set-up command (1) of the README: installs what is needed, builds rkt, makes the bundled sample
# image and walks through trusting its key, fetching it (signature verified), listing the store and
# running the image in a pod (from the store, with the stage1 the build put beside rkt).
#
#   scripts/demo.sh            # build dir: build (override with RKT_BUILD_DIR=...)
#
# The demo keeps its store and keys inside the build dir (build/demo-data, build/demo-config), so it
# never touches /var/lib/rkt or /etc/rkt.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${RKT_BUILD_DIR:-build}
cd "$root"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "Installing dependencies"
if ((EUID == 0)); then
  scripts/install-deps.sh
else
  sudo scripts/install-deps.sh
fi

step "Building rkt"
cmake -B "$build" -S .
cmake --build "$build" -j2

step "Making the sample image"
scripts/make-sample-image.sh "$build/sample"

rkt=("$build/rkt" "--dir=$build/demo-data" "--local-config=$build/demo-config")
step "Trusting the sample signing key for prefix example.com/busybox"
show "${rkt[@]}" trust --prefix=example.com/busybox --skip-fingerprint-review "$build/sample/sample-key.asc"

step "Fetching the signed image"
show "${rkt[@]}" fetch "$build/sample/busybox.aci"

step "The local image store"
show "${rkt[@]}" image list

# Pods need root (namespaces, mounts); the steps above do not.
as_root=()
((EUID == 0)) || as_root=(sudo)
step "Running the sample image in a pod (taken from the store, verified when fetched)"
show "${as_root[@]}" "${rkt[@]}" run example.com/busybox --exec /bin/echo -- hello from a rkt pod

step "The exited pod, then collected"
show "${as_root[@]}" "${rkt[@]}" list
show "${as_root[@]}" "${rkt[@]}" gc --grace-period=0s

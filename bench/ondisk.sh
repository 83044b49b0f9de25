#!/usr/bin/env bash
# Cost of the rendered-tree check: `rkt run` with the check (default) and with
# --insecure-options=ondisk, side by side in one hyperfine run, on a small image (busybox: one
# 2 MB static binary) and a larger one (about 3000 files, 120 MB), printing checked/skipped.
#
#   bench/ondisk.sh [RKT_BINARY]   # default: build/rkt; stage1-native.aci beside it
#
# Needs root. Environment: BENCH_WORK (default /tmp/rkt-bench-ondisk), BENCH_RUNS (default 10),
# BENCH_WARMUP (default 2), BENCH_LARGE_MB (size of the larger image, default 120).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
((EUID == 0)) || { echo "$0: needs root" >&2; exit 1; }
for tool in hyperfine jq; do
  command -v "$tool" >/dev/null || { echo "$0: $tool missing: run scripts/install-deps.sh" >&2; exit 1; }
done
rkt=$(realpath "${1:-$root/build/rkt}")
[[ -x $rkt ]] || { echo "rkt binary not found: $rkt" >&2; exit 1; }
[[ -x /bin/busybox ]] || { echo "/bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }
work=${BENCH_WORK:-/tmp/rkt-bench-ondisk}
runs=${BENCH_RUNS:-10}
warmup=${BENCH_WARMUP:-2}
large_mb=${BENCH_LARGE_MB:-120}
rm -rf "$work"
mkdir -p "$work"
data=$work/rkt-data
rktd=("$rkt" "--dir=$data")
case $(uname -m) in x86_64) arch=amd64 ;; *) arch=$(uname -m) ;; esac

# make_aci NAME DIR: an uncompressed ACI of DIR/rootfs running /bin/true.
make_aci() {
  local name=$1 dir=$2
  cat >"$dir/manifest" <<EOM
{"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "$name",
 "labels": [{"name": "os", "value": "linux"}, {"name": "arch", "value": "$arch"}],
 "app": {"exec": ["/bin/true"], "user": "0", "group": "0"}}
EOM
  tar -C "$dir" --owner=0 --group=0 --numeric-owner -cf "$dir.aci" manifest rootfs
}

small=$work/small
mkdir -p "$small/rootfs/bin"
install -m 0755 /bin/busybox "$small/rootfs/bin/busybox"
ln -s busybox "$small/rootfs/bin/true"
make_aci example.com/ondisk-small "$small"

large=$work/large
mkdir -p "$large/rootfs/bin"
install -m 0755 /bin/busybox "$large/rootfs/bin/busybox"
ln -s busybox "$large/rootfs/bin/true"
files=3000
per_file_kb=$((large_mb * 1024 / files))
for ((i = 0; i < files; i++)); do
  d=$large/rootfs/usr/share/data/$((i % 50))
  mkdir -p "$d"
  head -c $((per_file_kb * 1024)) /dev/urandom >"$d/file-$i"
done
make_aci example.com/ondisk-large "$large"

for image in small large; do
  "${rktd[@]}" --insecure-options=image fetch "$work/$image.aci" >/dev/null 2>&1
done
"${rktd[@]}" run --net=none example.com/ondisk-small >/dev/null 2>&1  # imports the stage1
"${rktd[@]}" gc --grace-period=0s >/dev/null

cmd() { echo "${rktd[*]} $1 run --net=none example.com/ondisk-$2 && ${rktd[*]} gc --grace-period=0s >/dev/null"; }
for image in small large; do
  hyperfine --warmup "$warmup" --runs "$runs" --export-json "$work/$image.json" \
    -n "checked ($image)" "$(cmd "" "$image")" \
    -n "ondisk ($image)" "$(cmd --insecure-options=ondisk "$image")"
done
for image in small large; do
  jq -r --arg image "$image" '[.results[].mean] as $m |
    "\($image): checked \($m[0] * 1000 | floor) ms, --insecure-options=ondisk \($m[1] * 1000 | floor) ms: checked/ondisk = \(($m[0] / $m[1]) * 100 | round / 100)"' \
    "$work/$image.json"
done

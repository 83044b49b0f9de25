#!/usr/bin/env bash
# Image import benchmark: `rkt fetch` of a ~200 MB gzip ACI against the cheapest pipeline that does
# the same unavoidable work, measured side by side in one hyperfine run.
#
#   bench/import.sh [RKT_BINARY]        # default: build/rkt
#
# Environment: BENCH_WORK (scratch dir, default /tmp/rkt-bench; the generated ACI is cached
# there between runs), BENCH_RUNS (default 5).
#
# The floor, one pass over the data like an import must make:
#   gzip -dc x.aci | tee >(sha512sum) >dir/blob
# i.e. decompress once, hash the uncompressed tar (the image ID is its SHA-512) and write it to
# disk. rkt fetch does at least this (decompress, hash, validate the tar, write the blob) plus its
# bookkeeping (index row, locks, fsync); the ratio floor/rkt says how close it gets. Neither
# unpacks the files: rkt renders an image's tree when the first pod uses it, as rkt did.
# Both start from a warm page cache (hyperfine --warmup) and write into a fresh directory.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rkt=$(realpath "${1:-$root/build/rkt}")
work=${BENCH_WORK:-/tmp/rkt-bench}
runs=${BENCH_RUNS:-5}
target_ratio=0.7

[[ -x $rkt ]] || { echo "rkt binary not found: $rkt (build first, or pass its path)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine missing: run scripts/install-deps.sh" >&2; exit 1; }

mkdir -p "$work"
aci=$work/bench.aci

# --- the image: ~200 MB of files of mixed sizes, mostly incompressible -------------------------
# Small files (1-16 KiB) stress per-entry costs, a few large ones stress throughput. Content is a
# mix of random bytes and base64 text, so gzip has some, but not much, work to save.
generate() {
  local stage=$work/stage pool=$work/pool
  rm -rf "$stage" && mkdir -p "$stage/rootfs"
  head -c $((32 << 20)) /dev/urandom >"$pool.bin"
  base64 -w 76 "$pool.bin" >"$pool.txt"

  # piece SIZE FILE: SIZE bytes from a random offset of one of the pools.
  piece() {
    local size=$1 src=$pool.bin
    ((RANDOM % 3 == 0)) && src=$pool.txt
    local offset=$(((RANDOM * 32768 + RANDOM) % ((32 << 20) - size)))
    dd if="$src" of="$2" bs=64K iflag=skip_bytes,count_bytes skip="$offset" count="$size" \
      status=none
  }
  RANDOM=42
  local i dir
  for ((i = 0; i < 3000; i++)); do  # ~25 MB of small files
    dir=$stage/rootfs/small/d$((i % 64))
    mkdir -p "$dir"
    piece $((1024 + RANDOM % (15 * 1024))) "$dir/f$i"
  done
  for ((i = 0; i < 250; i++)); do  # ~140 MB of medium files
    dir=$stage/rootfs/medium/d$((i % 16))
    mkdir -p "$dir"
    piece $((64 * 1024 + (RANDOM * 32) % (1024 * 1024))) "$dir/m$i"
  done
  mkdir -p "$stage/rootfs/large"
  for ((i = 0; i < 4; i++)); do  # 40 MB in large files
    piece $((10 << 20)) "$stage/rootfs/large/l$i"
  done
  local arch
  case $(uname -m) in x86_64) arch=amd64 ;; *) arch=$(uname -m) ;; esac
  cat >"$stage/manifest" <<EOF
{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/bench",
 "labels":[{"name":"os","value":"linux"},{"name":"arch","value":"$arch"}]}
EOF
  tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner -cf - manifest rootfs |
    gzip -6 >"$aci.tmp"
  mv "$aci.tmp" "$aci"
  rm -rf "$stage" "$pool.bin" "$pool.txt"
}

if [[ ! -s $aci ]]; then
  echo "generating $aci ..."
  generate
fi
uncompressed=$(gzip -dc "$aci" | wc -c)
printf 'image: %s (%d MB compressed, %d MB uncompressed)\n' "$aci" \
  $(($(stat -c %s "$aci") >> 20)) $((uncompressed >> 20))

floor_dir=$work/floor-out
rkt_dir=$work/rkt-data
# `wait $!` waits for the process substitution too, so the hash is always fully paid for.
floor="gzip -dc $aci | tee >(sha512sum >$work/floor.sha512) >$floor_dir/blob; wait \$!"
fetch="$rkt --dir=$rkt_dir --insecure-options=image fetch $aci >/dev/null"

hyperfine --shell=bash --warmup 1 --runs "$runs" \
  --prepare "rm -rf $floor_dir $rkt_dir && mkdir -p $floor_dir" \
  --export-json "$work/import.json" --export-csv "$work/import.csv" \
  -n floor "$floor" -n "rkt fetch" "$fetch"
rm -rf "$floor_dir" "$rkt_dir" "$work/floor.sha512"

# CSV columns: command,mean,stddev,median,user,system,min,max
mean_of() { awk -F, -v name="$1" '$1 == name { print $2 }' "$work/import.csv"; }
floor_mean=$(mean_of floor)
rkt_mean=$(mean_of "rkt fetch")
awk -v f="$floor_mean" -v r="$rkt_mean" -v t="$target_ratio" 'BEGIN {
  ratio = f / r
  printf "\nfloor %.3f s, rkt fetch %.3f s: floor/rkt = %.2f (target >= %.1f) %s\n",
         f, r, ratio, t, (ratio >= t ? "OK" : "BELOW TARGET")
}'
echo "raw results: $work/import.json"

#!/usr/bin/env bash
# Docker fetch benchmark: `rkt fetch docker://...` of a ~100 MB, 4-layer image from a local
# docker-registry, side by side in one hyperfine run with `skopeo copy` of the same image to an OCI
# layout. Prints skopeo time / rkt time (target: >= 1.0, i.e. rkt no slower than skopeo).
#
#   bench/docker-fetch.sh [RKT_BINARY]      # default: build/rkt
#
# Environment: BENCH_WORK (default /tmp/rkt-bench-docker), BENCH_RUNS (default 5).
#
# Both start from nothing each run (fresh store / fresh layout) and download every layer. skopeo
# only downloads and stores the blobs; rkt also decompresses and stacks the layers into an ACI
# (while they download), hashes it for the image ID and stores it: more work, so the ratio says
# how well the overlap pays for it. Neither unpacks a rootfs (rkt's first pod renders the tree).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rkt=$(realpath "${1:-$root/build/rkt}")
work=${BENCH_WORK:-/tmp/rkt-bench-docker}
runs=${BENCH_RUNS:-5}
target_ratio=1.0

[[ -x $rkt ]] || { echo "rkt binary not found: $rkt" >&2; exit 1; }
for tool in hyperfine skopeo docker-registry jq; do
  command -v $tool >/dev/null || { echo "$tool missing: run scripts/install-deps.sh" >&2; exit 1; }
done
mkdir -p "$work"

# --- the image: 4 layers of ~25 MB (random files, so gzip saves little) ---------------------------
layout=$work/layout
make_layout() {
  rm -rf "$layout" && mkdir -p "$layout/blobs/sha256"
  echo '{"imageLayoutVersion": "1.0.0"}' >"$layout/oci-layout"
  local layers="" diffs="" i
  for ((i = 0; i < 4; i++)); do
    local stage=$work/stage$i
    rm -rf "$stage" && mkdir -p "$stage/layer$i"
    local j
    for ((j = 0; j < 25; j++)); do head -c $((1 << 20)) /dev/urandom >"$stage/layer$i/f$j"; done
    tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name -cf "$work/l.tar" .
    diffs+="${diffs:+,}\"sha256:$(sha256sum <"$work/l.tar" | cut -c1-64)\""
    gzip -1 <"$work/l.tar" >"$work/l.tar.gz"
    local hex size
    hex=$(sha256sum <"$work/l.tar.gz" | cut -c1-64)
    size=$(stat -c %s "$work/l.tar.gz")
    mv "$work/l.tar.gz" "$layout/blobs/sha256/$hex"
    layers+="${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$hex\",\"size\":$size}"
    rm -rf "$stage" "$work/l.tar"
  done
  blob() {  # stores stdin as a blob, prints its descriptor fields
    local tmp=$work/blob.tmp hex
    cat >"$tmp"
    hex=$(sha256sum <"$tmp" | cut -c1-64)
    echo "\"digest\":\"sha256:$hex\",\"size\":$(stat -c %s "$tmp")"
    mv "$tmp" "$layout/blobs/sha256/$hex"
  }
  local config manifest
  config=$(printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' "$diffs" | blob)
  manifest=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json",%s},"layers":[%s]}' "$config" "$layers" | blob)
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",%s,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' "$manifest" >"$layout/index.json"
}
[[ -s $layout/index.json ]] || { echo "generating the image ..."; make_layout; }

# --- the registry ----------------------------------------------------------------------------------
port=$((20000 + RANDOM % 30000))
address=127.0.0.1:$port
rm -rf "$work/registry" && mkdir -p "$work/registry"
cat >"$work/registry.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: $address
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null; wait $registry_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null "http://$address/v2/" && break; sleep 0.1; done
skopeo copy --quiet --insecure-policy --dest-tls-verify=false "oci:$layout:1" "docker://$address/bench:1"

# --- side by side -----------------------------------------------------------------------------------
hyperfine --warmup 1 --runs "$runs" --export-json "$work/docker-fetch.json" \
  --prepare "rm -rf $work/out" \
  -n skopeo "skopeo copy --quiet --insecure-policy --src-tls-verify=false docker://$address/bench:1 oci:$work/out:1" \
  -n "rkt fetch" "$rkt --dir=$work/out --insecure-options=image,http fetch docker://$address/bench:1"

skopeo_time=$(jq '.results[0].mean' "$work/docker-fetch.json")
rkt_time=$(jq '.results[1].mean' "$work/docker-fetch.json")
ratio=$(echo "$skopeo_time / $rkt_time" | bc -l)
verdict=$(echo "$ratio >= $target_ratio" | bc -l)
printf 'skopeo %.3f s, rkt fetch %.3f s: skopeo/rkt = %.2f (target >= %.1f) %s\n' \
  "$skopeo_time" "$rkt_time" "$ratio" "$target_ratio" "$([[ $verdict == 1 ]] && echo OK || echo SLOWER)"

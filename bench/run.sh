#!/usr/bin/env bash
# Pod start-to-exit benchmark: `rkt run` of a cached busybox image running /bin/true, side by side
# in one hyperfine run with crun and runc running the same rootfs as an OCI bundle, the floor
# (`unshare --mount --pid --uts --ipc --net --fork chroot ROOTFS /bin/true`: the namespaces a pod
# needs and nothing else), and stage1-fly against a plain `chroot ROOTFS /bin/true`. Then the RSS
# of a running pod's PID 1 (the stage1 init inside the pod).
#
#   bench/run.sh [RKT_BINARY]     # default: build/rkt; stage1-native.aci and stage1-fly.aci beside it
#
# Needs root. Environment: BENCH_WORK (scratch dir, default /tmp/rkt-bench-run), BENCH_RUNS
# (default 30), BENCH_WARMUP (default 3).
#
# crun 1.8 refuses hybrid cgroup hierarchies ("cgroups in hybrid mode not supported"); on such a
# host the script re-runs itself in a private mount namespace with a tmpfs over
# /sys/fs/cgroup/unified, so crun (and everything else measured) sees plain cgroup v1 and crun
# runs with its cgroups, as it would in production.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
script=$(realpath "${BASH_SOURCE[0]}")

((EUID == 0)) || { echo "$0: needs root (namespaces, mounts, crun/runc)" >&2; exit 1; }
for tool in hyperfine crun runc unshare chroot jq; do
  command -v "$tool" >/dev/null || { echo "$0: $tool missing: run scripts/install-deps.sh" >&2; exit 1; }
done

if [[ -z ${RKT_BENCH_PRIVATE_CGROUPS:-} ]] && mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
  export RKT_BENCH_PRIVATE_CGROUPS=1
  # shellcheck disable=SC2016  # $0 and $@ are the inner shell's
  exec unshare --mount --propagation private -- \
    bash -c 'mount -t tmpfs rkt-bench /sys/fs/cgroup/unified && exec bash "$0" "$@"' "$script" "$@"
fi

rkt=$(realpath "${1:-$root/build/rkt}")
work=${BENCH_WORK:-/tmp/rkt-bench-run}
runs=${BENCH_RUNS:-30}
warmup=${BENCH_WARMUP:-3}
fly_aci=$(dirname "$rkt")/stage1-fly.aci
[[ -x $rkt ]] || { echo "rkt binary not found: $rkt (build first, or pass its path)" >&2; exit 1; }
[[ -f $(dirname "$rkt")/stage1-native.aci && -f $fly_aci ]] ||
  { echo "stage1-native.aci and stage1-fly.aci must be beside $rkt" >&2; exit 1; }
[[ -x /bin/busybox ]] || { echo "/bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
rootfs=$work/rootfs
data=$work/rkt-data
bundle=$work/oci
image=example.com/bench-busybox

# --- one busybox rootfs for everyone ------------------------------------------------------------
mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,etc}
install -m 0755 /bin/busybox "$rootfs/bin/busybox"
for applet in true sh sleep; do ln -s busybox "$rootfs/bin/$applet"; done

# --- rkt: the rootfs as an ACI in the store; both stage1s imported by a first run ---------------
case $(uname -m) in x86_64) arch=amd64 ;; *) arch=$(uname -m) ;; esac
mkdir -p "$work/aci"
cat >"$work/aci/manifest" <<EOF
{"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "$image",
 "labels": [{"name": "os", "value": "linux"}, {"name": "arch", "value": "$arch"}],
 "app": {"exec": ["/bin/true"], "user": "0", "group": "0"}}
EOF
tar -C "$work" --owner=0 --group=0 --numeric-owner --transform 's|^aci/manifest$|manifest|' \
  -cf "$work/busybox.aci" aci/manifest rootfs
rktd=("$rkt" "--dir=$data")
"${rktd[@]}" --insecure-options=image fetch "$work/busybox.aci" >/dev/null 2>&1
"${rktd[@]}" run --net=none "$image" >/dev/null 2>&1
"${rktd[@]}" --insecure-options=image run --stage1-path="$fly_aci" "$image" >/dev/null 2>&1
fly_name=$("${rktd[@]}" image list --no-legend --fields=name | awk '/stage1-fly/ {print $1; exit}')
[[ -n $fly_name ]] || { echo "stage1-fly did not get into the store" >&2; exit 1; }
"${rktd[@]}" gc --grace-period=0s >/dev/null

# --- crun and runc: an OCI bundle over the same rootfs (read-only, so it stays pristine) -------
mkdir -p "$bundle"
(cd "$bundle" && crun spec)
jq --arg root "$rootfs" '.root = {path: $root, readonly: true}
  | .process.args = ["/bin/true"] | .process.terminal = false' \
  "$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"
crun delete -f rkt-bench-crun >/dev/null 2>&1 || true
runc delete -f rkt-bench-runc >/dev/null 2>&1 || true
crun run --bundle "$bundle" rkt-bench-crun
runc run --bundle "$bundle" rkt-bench-runc

# --- start to exit, one hyperfine run ----------------------------------------------------------
# Each rkt run leaves an exited pod; the prepare step (not timed) collects it so that every run
# sees the same, empty pods dir. The others get a no-op prepare (hyperfine wants one per command).
# Every run starts after the same idle gap ($BENCH_GAP seconds, default 0.1): a run started right
# after the previous one finds kernel state that one left behind; crun's move of its child through
# cgroup.procs is fast back to back (13 ms here) and waits for an RCU grace period otherwise
# (27 ms), so a tight loop measures something no single `crun run` gets. BENCH_GAP=0 measures
# back to back.
gap=${BENCH_GAP:-0.1}
gc="${rkt} --dir=${data} gc --grace-period=0s"
idle="sleep ${gap}"
hyperfine -N --warmup "$warmup" --runs "$runs" \
  --export-json "$work/run.json" --export-csv "$work/run.csv" \
  --prepare "bash -c '$gc && $idle'" -n "rkt run" "${rkt} --dir=${data} run --net=none ${image}" \
  --prepare "$idle" -n "crun run" "crun run --bundle ${bundle} rkt-bench-crun" \
  --prepare "$idle" -n "runc run" "runc run --bundle ${bundle} rkt-bench-runc" \
  --prepare "$idle" -n "floor" "unshare --mount --pid --uts --ipc --net --fork chroot ${rootfs} /bin/true" \
  --prepare "bash -c '$gc && $idle'" -n "rkt run (fly)" "${rkt} --dir=${data} run --stage1-name=${fly_name} ${image}" \
  --prepare "$idle" -n "chroot" "chroot ${rootfs} /bin/true"
$gc >/dev/null

# CSV columns: command,mean,stddev,median,user,system,min,max (seconds)
mean_of() { awk -F, -v name="$1" '$1 == name { print $2 }' "$work/run.csv"; }
ratio() {  # ratio NAME_A NAME_B [TARGET]: mean(A)/mean(B), checked against TARGET if given
  awk -v a="$(mean_of "$1")" -v b="$(mean_of "$2")" -v na="$1" -v nb="$2" -v t="${3:-}" 'BEGIN {
    r = a / b
    printf "%-14s %7.2f ms vs %-9s %7.2f ms: %s / %s = %5.2f", na, a * 1000, nb, b * 1000, na, nb, r
    if (t != "") printf "  (target <= %s) %s", t, (r <= t ? "OK" : "ABOVE TARGET")
    printf "\n"
  }'
}
echo
echo "start to exit (time ratios: below 1 means the first is faster)"
ratio "rkt run" "crun run" 1.0
ratio "rkt run" "runc run"
ratio "rkt run" "floor"
ratio "rkt run (fly)" "chroot"

# --- RSS of the pod's PID 1 ---------------------------------------------------------------------
uuid_file=$work/uuid
"${rktd[@]}" run --net=none --uuid-file-save="$uuid_file" "$image" --exec /bin/sleep -- 5 \
  >/dev/null 2>&1 &
runner=$!
for _ in $(seq 100); do [[ -s $uuid_file ]] && break; sleep 0.05; done
uuid=$(cat "$uuid_file")
"${rktd[@]}" status --wait-ready=10s "$uuid" >/dev/null
pid1=$("${rktd[@]}" status "$uuid" | sed -n 's/^pid=//p')
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid1/status")
supervisor_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$runner/status")
"${rktd[@]}" stop "$uuid" >/dev/null
wait "$runner" || true
"${rktd[@]}" gc --grace-period=0s >/dev/null
awk -v r="$rss_kb" -v s="$supervisor_kb" 'BEGIN {
  printf "\npod PID 1 (stage1 init) RSS: %d kB (target < 2048 kB) %s\n", r, (r < 2048 ? "OK" : "ABOVE TARGET")
  printf "its supervisor outside the pod (the process rkt became): %d kB\n", s
}'
echo "raw results: $work/run.json"

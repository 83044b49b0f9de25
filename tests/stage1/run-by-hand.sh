#!/bin/bash
# Exercises the stage1 images for real, as root, the way stage0 will drive them: pod directories
# are built by hand from a busybox rootfs (Debian's busybox-static), app rootfs are overlayfs
# mounts made in a private mount namespace (`unshare -m`) just before exec'ing the entrypoint,
# with the pod directory flocked and passed as RKT_LOCK_FD.
#
#   tests/stage1/run-by-hand.sh [BUILD_DIR]      (default: <repo>/build; needs stage1-*.aci)
#
# Prints one line per check and exits non-zero if any failed. Everything lives under one temp
# dir, removed at the end; no mount may be left in /proc/self/mountinfo.
set -uo pipefail

BUILD=${1:-$(cd "$(dirname "$0")/../.." && pwd)/build}
NATIVE_ACI=$BUILD/stage1-native.aci
FLY_ACI=$BUILD/stage1-fly.aci
BUSYBOX=${BUSYBOX:-/bin/busybox}

[ "$(id -u)" = 0 ] || { echo "run-by-hand.sh: must run as root" >&2; exit 2; }
for f in "$NATIVE_ACI" "$FLY_ACI" "$BUSYBOX"; do
  [ -e "$f" ] || { echo "run-by-hand.sh: missing $f (build first)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/rkt-stage1-test.XXXXXX)
FAILURES=0
CHECKS=0

cleanup() {
  # Pods still running (a failed check) are killed through their pid files.
  for pidfile in "$WORK"/pods/*/pid; do
    [ -e "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
  done
  sleep 0.2
  if grep -q "$WORK" /proc/self/mountinfo; then
    echo "FAIL: mounts left behind:"; grep "$WORK" /proc/self/mountinfo
    grep "$WORK" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
    FAILURES=$((FAILURES + 1))
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

pass() { CHECKS=$((CHECKS + 1)); echo "ok   $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); echo "FAIL $*"; }
# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi
}
# expect_match DESCRIPTION REGEX TEXT
expect_match() {
  if printf '%s' "$3" | grep -qE -- "$2"; then pass "$1"; else fail "$1: [$3] does not match /$2/"; fi
}
no_mounts_left() {
  expect_eq "$1: no mount left in /proc/self/mountinfo" 0 "$(grep -c "$WORK" /proc/self/mountinfo)"
}

# --- images -------------------------------------------------------------------------------------

# make_image DIR: a busybox rootfs with users "user" (1000) and group "extra" (2000), no /etc/hosts.
make_image() {
  local root=$1/rootfs
  mkdir -p "$root/bin" "$root/etc" "$root/home/user" "$root/tmp"
  cp "$BUSYBOX" "$root/bin/busybox"
  for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nuser:x:1000:\nextra:x:2000:user\n' >"$root/etc/group"
  chmod 1777 "$root/tmp"
}
IMAGE=$WORK/images/busybox
make_image "$IMAGE"
IMAGE_HOSTS=$WORK/images/with-hosts
make_image "$IMAGE_HOSTS"
echo "10.9.8.7 image-own-hosts" >"$IMAGE_HOSTS/rootfs/etc/hosts"

# --- pods ---------------------------------------------------------------------------------------

# new_pod FLAVOR: makes a pod dir from the stage1 ACI, prints its path; its uuid is its name.
new_pod() {
  local uuid aci
  uuid=$(cat /proc/sys/kernel/random/uuid)
  aci=$NATIVE_ACI
  [ "$1" = fly ] && aci=$FLY_ACI
  local pod=$WORK/pods/$uuid
  mkdir -p "$pod/stage1" "$pod/sharedVolumes"
  tar -C "$pod/stage1" -xf "$aci"
  echo "$pod"
}

# add_app POD NAME IMAGE_DIR APP_JSON [EXTRA_RUNTIME_JSON]: app rootfs dirs, env file, and the
# entry in $POD/apps.json (assembled into `pod` by write_manifest).
add_app() {
  local pod=$1 name=$2 image=$3 app=$4 extra=${5:-}
  mkdir -p "$pod/stage1/rootfs/opt/stage2/$name/rootfs" "$pod/overlay/$name/upper" \
           "$pod/overlay/$name/work"
  echo "$image" >"$pod/overlay/$name/lower"
  printf 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nAC_APP_NAME=%s\nAC_METADATA_URL=\ncontainer=rkt\nHOME=/root\n' \
    "$name" >"$pod/stage1/rootfs/rkt/env/$name"
  local id=sha512-0000000000000000000000000000000000000000000000000000000000000000
  local entry="{\"name\":\"$name\",\"image\":{\"name\":\"busybox\",\"id\":\"$id\"},\"app\":$app${extra:+,$extra}}"
  if [ -e "$pod/apps.json" ]; then echo ",$entry" >>"$pod/apps.json"; else echo "$entry" >"$pod/apps.json"; fi
}

# write_manifest POD [VOLUMES_JSON]
write_manifest() {
  printf '{"acKind":"PodManifest","acVersion":"0.8.11","apps":[%s],"volumes":[%s]}\n' \
    "$(cat "$1/apps.json")" "${2:-}" >"$1/pod"
}

# run_pod POD ENTRYPOINT ARGS...: what stage0 does: flock the pod dir (RKT_LOCK_FD), enter a private
# mount namespace, mount each app's overlay, exec the entrypoint (cwd = pod dir).
run_pod() {
  local pod=$1 entrypoint=$2
  shift 2
  local mounts="" app
  for app in $(ls "$pod/overlay"); do
    mounts+="mount -t overlay overlay -o lowerdir=$(cat "$pod/overlay/$app/lower")/rootfs,upperdir=$pod/overlay/$app/upper,workdir=$pod/overlay/$app/work $pod/stage1/rootfs/opt/stage2/$app/rootfs && "
  done
  (
    cd "$pod" || exit 99
    exec 9<"$pod"
    flock -x 9
    export RKT_LOCK_FD=9
    exec unshare -m --propagation private sh -c "${mounts}exec stage1/rootfs/$entrypoint \"\$@\"" \
      stage0 "$@"
  )
}

uuid_of() { basename "$1"; }
# wait_ready POD: until the supervisor-status symlink appears (5 s at most).
wait_ready() {
  for _ in $(seq 50); do
    [ -L "$1/stage1/rootfs/rkt/supervisor-status" ] && return 0
    sleep 0.1
  done
  return 1
}
lock_free() { flock -n "$1" true && echo free || echo held; }

# --- 1. basics: hostname, PID 1, user, env, /etc/hosts, logs, status, exit code ----------------
echo "== native: basics"
POD=$(new_pod native)
add_app "$POD" main "$IMAGE" '{"exec":["/bin/sh","-c","echo host=$(hostname); echo pid1=$(cat /proc/1/comm) me=$$; id; echo app=$AC_APP_NAME; echo hosts=$(grep -c localhost /etc/hosts); ls /proc/self/fd | tr \"\\n\" \" \"; echo; echo to-stderr >&2; exit 7"],"user":"user","group":"user","supplementaryGIDs":[2000]}'
write_manifest "$POD"
OUT=$(run_pod "$POD" init --net=host "$(uuid_of "$POD")" 2>"$WORK/err")
STATUS=$?
ERR=$(cat "$WORK/err")
expect_eq "exit status of the app (7) is the pod's" 7 "$STATUS"
expect_match "default hostname rkt-<uuid>" "host=rkt-$(uuid_of "$POD")" "$OUT"
expect_match "the stage1 init is PID 1, the app PID 2" "pid1=init me=2" "$OUT"
expect_match "user and groups from the image's passwd/group" "uid=1000\(user\) gid=1000\(user\) groups=2000\(extra\)" "$OUT"
expect_match "env from /rkt/env" "app=main" "$OUT"
expect_match "fallback /etc/hosts (localhost lines)" "hosts=2" "$OUT"
expect_match "app gets only fds 0-2 (no lock fd)" "^0 1 2 3 $" "$(echo "$OUT" | grep -E '^0 1 2')"
expect_match "stderr reaches stderr" "to-stderr" "$ERR"
expect_eq "status file" 7 "$(cat "$POD/stage1/rootfs/rkt/status/main")"
expect_match "log file has stdout and stderr" "host=rkt-.*to-stderr" "$(tr '\n' ' ' <"$POD/stage1/rootfs/rkt/logs/main")"
expect_match "pid file written" "^[0-9]+$" "$(cat "$POD/pid")"
expect_eq "supervisor-status -> ready" ready "$(readlink "$POD/stage1/rootfs/rkt/supervisor-status")"
expect_eq "fallback hosts went to the overlay upper, not the image" "yes no" \
  "$([ -e "$POD/overlay/main/upper/etc/hosts" ] && echo yes || echo no) $([ -e "$IMAGE/rootfs/etc/hosts" ] && echo yes || echo no)"
expect_eq "pod lock released after exit" free "$(lock_free "$POD")"
no_mounts_left "basics"

# --- 2. --hostname, --net=none, the image's own /etc/hosts -------------------------------------
echo "== native: --hostname, --net=none, image /etc/hosts"
POD=$(new_pod native)
add_app "$POD" net "$IMAGE_HOSTS" '{"exec":["/bin/sh","-c","hostname; ls /sys/class/net | tr \"\\n\" \" \"; echo; cat /sys/class/net/lo/flags; cat /etc/hosts"],"user":"0","group":"0"}'
write_manifest "$POD"
OUT=$(run_pod "$POD" init --net=none --hostname=custom-host "$(uuid_of "$POD")" 2>&1)
expect_eq "exit 0" 0 "$?"
expect_eq "--hostname" custom-host "$(echo "$OUT" | sed -n 1p)"
expect_eq "--net=none: only lo" "lo " "$(echo "$OUT" | sed -n 2p)"
expect_eq "--net=none: lo is up (IFF_UP|IFF_LOOPBACK)" 0x9 "$(echo "$OUT" | sed -n 3p)"
expect_eq "the image's own /etc/hosts is used" "10.9.8.7 image-own-hosts" "$(echo "$OUT" | sed -n 4p)"
HOST_IFACES=$(ls /sys/class/net | wc -l)
POD=$(new_pod native)
add_app "$POD" net "$IMAGE" '{"exec":["/bin/sh","-c","ls /sys/class/net | wc -l"],"user":"0","group":"0"}'
write_manifest "$POD"
expect_eq "--net=host: the host's interfaces" "$HOST_IFACES" "$(run_pod "$POD" init --net=host "$(uuid_of "$POD")" 2>/dev/null | tr -d ' ')"
no_mounts_left "net"

# --- 3. several apps: a failing app stops the others; volumes; readOnlyRootFS; handlers --------
echo "== native: several apps, volumes, read-only rootfs, event handlers"
mkdir -p "$WORK/host-vol/sub" "$WORK/post"
echo from-host >"$WORK/host-vol/file"
POD=$(new_pod native)
add_app "$POD" writer "$IMAGE" '{"exec":["/bin/sh","-c","echo shared >/shared/x; cat /data/file; touch /data/new 2>&1 | grep -o \"Read-only file system\"; sleep 30"],"user":"0","group":"0","eventHandlers":[{"name":"post-stop","exec":["/bin/sh","-c","echo post-stop-ran >/post/marker"]}]}' \
  '"mounts":[{"volume":"shared","path":"/shared"},{"volume":"data","path":"/data"},{"volume":"post","path":"/post"}]'
add_app "$POD" reader "$IMAGE" '{"exec":["/bin/sh","-c","sleep 0.5; cat /deep/er/shared/x; cat /tmp/pre-out; touch /rootfs-write 2>&1 | grep -o \"Read-only file system\"; exit 3"],"user":"0","group":"0","eventHandlers":[{"name":"pre-start","exec":["/bin/sh","-c","echo pre-start-ran >/tmp/pre-out"]}],"mountPoints":[{"name":"shared","path":"/deep/er/shared"}]}' \
  '"readOnlyRootFS":true,"mounts":[{"volume":"pretmp","path":"/tmp"}]'
mkdir -p "$WORK/pretmp"
write_manifest "$POD" "{\"name\":\"shared\",\"kind\":\"empty\"},{\"name\":\"data\",\"kind\":\"host\",\"source\":\"$WORK/host-vol\",\"readOnly\":true},{\"name\":\"post\",\"kind\":\"host\",\"source\":\"$WORK/post\"},{\"name\":\"pretmp\",\"kind\":\"host\",\"source\":\"$WORK/pretmp\"}"
START=$(date +%s)
OUT=$(run_pod "$POD" init --net=host "$(uuid_of "$POD")" 2>"$WORK/err")
STATUS=$?
ELAPSED=$(($(date +%s) - START))
expect_eq "a failing app stops the pod, which exits with the first app's status (143)" 143 "$STATUS"
expect_eq "the first app was stopped by SIGTERM (143)" 143 "$(cat "$POD/stage1/rootfs/rkt/status/writer")"
expect_eq "the failing app's status file" 3 "$(cat "$POD/stage1/rootfs/rkt/status/reader")"
[ "$ELAPSED" -lt 8 ] && pass "stopped promptly (${ELAPSED}s)" || fail "took ${ELAPSED}s to stop"
expect_match "host volume readable" "from-host" "$OUT"
expect_eq "read-only host volume and read-only rootfs refuse writes" 2 "$(echo "$OUT" | grep -c 'Read-only file system')"
expect_match "empty volume shared by two apps, nested mount point created" "^shared$" "$(echo "$OUT" | grep -x shared)"
expect_match "pre-start handler ran before the app" "pre-start-ran" "$OUT"
expect_eq "post-stop handler ran" post-stop-ran "$(cat "$WORK/post/marker" 2>/dev/null)"
expect_eq "empty volume lives in sharedVolumes" shared "$(cat "$POD/sharedVolumes/shared/x")"
no_mounts_left "apps"

# --- 4. errors: missing exec, unknown user, missing working directory, missing volume ----------
echo "== native: clear errors"
POD=$(new_pod native)
add_app "$POD" x "$IMAGE" '{"exec":["/bin/nope"],"user":"0","group":"0"}'
write_manifest "$POD"
ERR=$(run_pod "$POD" init --net=host "$(uuid_of "$POD")" 2>&1 >/dev/null)
STATUS=$?
expect_eq "missing exec: exit 254" 254 "$STATUS"
expect_eq "missing exec: message" 'stage1: exec of "/bin/nope" in app "x" failed: No such file or directory' "$ERR"
expect_eq "missing exec: status file 254" 254 "$(cat "$POD/stage1/rootfs/rkt/status/x")"

POD=$(new_pod native)
add_app "$POD" x "$IMAGE" '{"exec":["/bin/true"],"user":"foo","group":"0"}'
write_manifest "$POD"
ERR=$(run_pod "$POD" init --net=host "$(uuid_of "$POD")" 2>&1)
STATUS=$?
expect_eq "unknown user: exit 254" 254 "$STATUS"
expect_eq "unknown user: message" "stage1: app \"x\": user \"foo\" not found in $POD/stage1/rootfs/opt/stage2/x/rootfs/etc/passwd" "$ERR"
expect_eq "unknown user: no pid file" no "$([ -e "$POD/pid" ] && echo yes || echo no)"

POD=$(new_pod native)
add_app "$POD" x "$IMAGE" '{"exec":["/bin/true"],"user":"0","group":"0","workingDirectory":"/nonexistent"}'
write_manifest "$POD"
ERR=$(run_pod "$POD" init --net=host "$(uuid_of "$POD")" 2>&1)
expect_eq "missing working directory: message" 'stage1: chdir to working directory "/nonexistent" in app "x" failed: No such file or directory' "$ERR"

POD=$(new_pod native)
add_app "$POD" x "$IMAGE" '{"exec":["/bin/true"],"user":"0","group":"0"}' '"mounts":[{"volume":"v","path":"/v"}]'
write_manifest "$POD" "{\"name\":\"v\",\"kind\":\"host\",\"source\":\"$WORK/no-such-dir\"}"
ERR=$(run_pod "$POD" init --net=host "$(uuid_of "$POD")" 2>&1)
expect_eq "missing volume source: exit 254 and message" "254 stage1: app \"x\": volume \"v\": source \`$WORK/no-such-dir\`: No such file or directory" "$? $ERR"
no_mounts_left "errors"

# --- 5. a running pod: RSS, enter, zombies, stop ------------------------------------------------
echo "== native: enter, reaping, stop"
POD=$(new_pod native)
add_app "$POD" sleeper "$IMAGE" '{"exec":["/bin/sh","-c","(sleep 0.2 &); exec sleep 300"],"user":"0","group":"0"}'
write_manifest "$POD"
run_pod "$POD" init --net=none "$(uuid_of "$POD")" >/dev/null 2>&1 &
RUNNER=$!
wait_ready "$POD" && pass "pod became ready" || fail "pod never became ready"
PID1=$(cat "$POD/pid")
RSS=$(awk '/^VmRSS/ {print $2}' "/proc/$PID1/status")
[ "$RSS" -lt 2048 ] && pass "PID 1 RSS ${RSS} kB < 2 MB" || fail "PID 1 RSS ${RSS} kB >= 2 MB"
expect_eq "pod lock held while running" held "$(lock_free "$POD")"
OUT=$(cd "$POD" && stage1/rootfs/enter --pid="$PID1" --appname=sleeper -- /bin/sh -c 'hostname; cat /proc/1/comm; echo $AC_APP_NAME; ls /sys/class/net; exit 5')
expect_eq "enter: exit status of the command" 5 "$?"
expect_eq "enter: pod's namespaces and the app's env" "rkt-$(uuid_of "$POD") init sleeper lo" "$(echo $OUT)"
sleep 0.5
ZOMBIES=$(cd "$POD" && stage1/rootfs/enter --pid="$PID1" --appname=sleeper -- /bin/sh -c 'cat /proc/[0-9]*/stat 2>/dev/null | awk "\$3 == \"Z\"" | wc -l')
expect_eq "orphans are reaped by PID 1 (no zombie)" 0 "$(echo $ZOMBIES)"
(cd "$POD" && stage1/rootfs/stop "$(uuid_of "$POD")")
wait "$RUNNER"
expect_eq "stop: SIGTERM ends the pod (143)" 143 "$?"
expect_eq "stop: status file" 143 "$(cat "$POD/stage1/rootfs/rkt/status/sleeper")"
no_mounts_left "enter/stop"

echo "== native: stop timeout and --force"
POD=$(new_pod native)
add_app "$POD" stubborn "$IMAGE" '{"exec":["/bin/sh","-c","trap \"\" TERM; while true; do sleep 1; done"],"user":"0","group":"0"}'
write_manifest "$POD"
run_pod "$POD" init --net=host "$(uuid_of "$POD")" >/dev/null 2>&1 &
RUNNER=$!
wait_ready "$POD"
START=$(date +%s)
(cd "$POD" && stage1/rootfs/stop "$(uuid_of "$POD")")
wait "$RUNNER"
STATUS=$?
ELAPSED=$(($(date +%s) - START))
expect_eq "an app ignoring SIGTERM is killed (137)" 137 "$STATUS"
[ "$ELAPSED" -ge 9 ] && [ "$ELAPSED" -le 13 ] && pass "killed after the 10 s timeout (${ELAPSED}s)" || fail "killed after ${ELAPSED}s"
POD=$(new_pod native)
add_app "$POD" stubborn "$IMAGE" '{"exec":["/bin/sh","-c","trap \"\" TERM; while true; do sleep 1; done"],"user":"0","group":"0"}'
write_manifest "$POD"
run_pod "$POD" init --net=host "$(uuid_of "$POD")" >/dev/null 2>&1 &
RUNNER=$!
wait_ready "$POD"
(cd "$POD" && stage1/rootfs/stop --force "$(uuid_of "$POD")")
wait "$RUNNER"
expect_eq "stop --force: SIGKILL to PID 1 (137)" 137 "$?"
expect_eq "pod lock released after SIGKILL" free "$(lock_free "$POD")"
(cd "$POD" && stage1/rootfs/gc "$(uuid_of "$POD")")
expect_eq "gc: nothing to do, exit 0" 0 "$?"
no_mounts_left "stop"

echo "== native: SIGKILL to the outer init takes the pod down"
POD=$(new_pod native)
add_app "$POD" s "$IMAGE" '{"exec":["/bin/sleep","300"],"user":"0","group":"0"}'
write_manifest "$POD"
run_pod "$POD" init --net=host "$(uuid_of "$POD")" >/dev/null 2>&1 &
RUNNER=$!
wait_ready "$POD"
PID1=$(cat "$POD/pid")
OUTER=$(awk '{print $4}' "/proc/$PID1/stat")
kill -9 "$OUTER"
wait "$RUNNER"
sleep 0.3
# (an unreaped zombie counts as gone: its new parent may be slow to reap it)
expect_eq "PID 1 died with its parent" gone "$(awk '$3 != "Z" {print "alive"}' "/proc/$PID1/stat" 2>/dev/null | grep -q alive && echo alive || echo gone)"
expect_eq "pod lock released" free "$(lock_free "$POD")"
CG="/sys/fs/cgroup/cpu/machine.slice/machine-rkt\\x2d$(uuid_of "$POD" | sed 's/-/\\x2d/g').scope"
expect_eq "the pod's cgroups outlive a killed run entrypoint" yes "$([ -d "$CG" ] && echo yes || echo no)"
(cd "$POD" && stage1/rootfs/gc "$(uuid_of "$POD")")
expect_eq "the gc entrypoint removes them" no "$([ -d "$CG" ] && echo yes || echo no)"
no_mounts_left "SIGKILL"

# --- 6. log rotation ----------------------------------------------------------------------------
echo "== native: bounded logs"
POD=$(new_pod native)
add_app "$POD" chatty "$IMAGE" '{"exec":["/bin/sh","-c","yes 0123456789012345678901234567890123456789012345678901234567890123456789 | head -c 5000000"],"user":"0","group":"0"}'
write_manifest "$POD"
run_pod "$POD" init --net=host "$(uuid_of "$POD")" >/dev/null 2>&1
LOGS=$POD/stage1/rootfs/rkt/logs
SIZE=$(stat -c %s "$LOGS/chatty")
SIZE1=$(stat -c %s "$LOGS/chatty.1" 2>/dev/null || echo 0)
[ "$SIZE1" -le 4194304 ] && [ "$SIZE1" -gt 0 ] && [ "$SIZE" -le 4194304 ] && pass "log rotated at 4 MiB (${SIZE1} + ${SIZE} bytes)" || fail "log sizes ${SIZE1} + ${SIZE}"
expect_eq "no line lost or cut (the unterminated last line gets its newline)" 5000001 "$((SIZE + SIZE1))"

# --- 7. --interactive ---------------------------------------------------------------------------
echo "== native: --interactive"
POD=$(new_pod native)
add_app "$POD" tty "$IMAGE" '{"exec":["/bin/sh","-c","read line; echo got:$line; [ -t 0 ] && echo stdin-is-tty; [ -t 1 ] && echo stdout-is-tty"],"user":"0","group":"0"}'
write_manifest "$POD"
POD_CMD="cd $POD && exec 9<. && RKT_LOCK_FD=9 exec unshare -m --propagation private sh -c 'mount -t overlay overlay -o lowerdir=$IMAGE/rootfs,upperdir=$POD/overlay/tty/upper,workdir=$POD/overlay/tty/work $POD/stage1/rootfs/opt/stage2/tty/rootfs && exec stage1/rootfs/init --interactive --net=host $(uuid_of "$POD")'"
OUT=$( (sleep 1; echo hello-tty) | script -qec "$POD_CMD" /dev/null | tr -d '\r')
expect_match "interactive: stdin reaches the app" "got:hello-tty" "$OUT"
expect_match "interactive: the app has the terminal" "stdin-is-tty.*stdout-is-tty" "$(echo $OUT)"
expect_eq "interactive: no log file" no "$([ -e "$POD/stage1/rootfs/rkt/logs/tty" ] && echo yes || echo no)"
no_mounts_left "interactive"

# --- 8. stage1-fly ------------------------------------------------------------------------------
echo "== fly: run, enter, stop"
mkdir -p "$WORK/fly-vol"
POD=$(new_pod fly)
add_app "$POD" flyer "$IMAGE" '{"exec":["/bin/sh","-c","hostname; id -u; grep -c \" /tmp tmpfs\" /proc/self/mounts; echo fly >/vol/f; exit 4"],"user":"0","group":"0"}' \
  '"mounts":[{"volume":"vol","path":"/vol"}]'
write_manifest "$POD" "{\"name\":\"vol\",\"kind\":\"host\",\"source\":\"$WORK/fly-vol\"}"
OUT=$(run_pod "$POD" run --net=host "$(uuid_of "$POD")" 2>&1)
expect_eq "fly: app's exit status" 4 "$?"
expect_eq "fly: host's hostname, root, /tmp tmpfs" "$(hostname) 0 1" "$(echo $OUT)"
expect_eq "fly: volume written" fly "$(cat "$WORK/fly-vol/f")"
expect_eq "fly: status file" 4 "$(cat "$POD/stage1/rootfs/rkt/status/flyer")"
POD=$(new_pod fly)
add_app "$POD" flyer "$IMAGE" '{"exec":["/bin/sleep","300"],"user":"0","group":"0"}'
write_manifest "$POD"
run_pod "$POD" run --net=host "$(uuid_of "$POD")" >/dev/null 2>&1 &
RUNNER=$!
wait_ready "$POD" && pass "fly: ready" || fail "fly: never ready"
FLYPID=$(cat "$POD/pid")
OUT=$(cd "$POD" && stage1/rootfs/enter --pid="$FLYPID" --appname=flyer -- /bin/sh -c 'grep -c ^user: /etc/passwd; test -e /bin/busybox && echo in-app-rootfs')
expect_eq "fly: enter lands in the app's rootfs" "1 in-app-rootfs" "$(echo $OUT)"
(cd "$POD" && stage1/rootfs/stop "$(uuid_of "$POD")")
wait "$RUNNER"
expect_eq "fly: stop (143)" 143 "$?"
no_mounts_left "fly"

# --- 9. security: capabilities, no_new_privs, seccomp, protected paths, devices ----------------
echo "== native: capabilities, no_new_privs, seccomp, protected paths"
# run_one APP_JSON [INIT_FLAGS...]: a one-app native pod; prints the app's stdout+stderr.
run_one() {
  local app=$1 pod
  shift
  pod=$(new_pod native)
  add_app "$pod" sec "$IMAGE" "$app"
  write_manifest "$pod"
  run_pod "$pod" init --net=host "$@" "$(uuid_of "$pod")" 2>&1
}
# /status.sh in the image: the capability sets, no_new_privs and seccomp mode on one line.
printf '#!/bin/sh\nfor f in CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs Seccomp; do grep "^$f:" /proc/self/status | tr -d "\\t" | tr "\\n" " "; done\n' >"$IMAGE/rootfs/status.sh"
chmod 755 "$IMAGE/rootfs/status.sh"
STATUS_APP='"exec":["/status.sh"]'
DEFAULT_CAPS=00000000a80425fb  # appc's 14
OUT=$(run_one "{$STATUS_APP,\"user\":\"0\",\"group\":\"0\"}")
expect_match "root app: appc's 14 caps in every set, no ambient, seccomp on, no NNP" \
  "CapInh:$DEFAULT_CAPS CapPrm:$DEFAULT_CAPS CapEff:$DEFAULT_CAPS CapBnd:$DEFAULT_CAPS CapAmb:0+ NoNewPrivs:0 Seccomp:2" "$OUT"
OUT=$(run_one "{$STATUS_APP,\"user\":\"user\",\"group\":\"user\"}")
expect_match "non-root app: no permitted/effective caps, bounded, NNP implied by seccomp" \
  "CapPrm:0+ CapEff:0+ CapBnd:$DEFAULT_CAPS CapAmb:0+ NoNewPrivs:1 Seccomp:2" "$OUT"
OUT=$(run_one "{$STATUS_APP,\"user\":\"0\",\"group\":\"0\",\"isolators\":[{\"name\":\"os/linux/capabilities-retain-set\",\"value\":{\"set\":[\"CAP_NET_ADMIN\",\"CAP_CHOWN\"]}}]}")
expect_match "retain-set: exactly CAP_CHOWN and CAP_NET_ADMIN" "CapEff:0000000000001001 CapBnd:0000000000001001" "$OUT"
OUT=$(run_one "{$STATUS_APP,\"user\":\"0\",\"group\":\"0\",\"isolators\":[{\"name\":\"os/linux/capabilities-remove-set\",\"value\":{\"set\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"]}}]}")
expect_match "remove-set: the defaults minus CAP_CHOWN" "CapEff:00000000a80425fa CapBnd:00000000a80425fa" "$OUT"
HOST_BND=$(grep ^CapBnd: /proc/self/status | tr -d '\t')
OUT=$(run_one "{$STATUS_APP,\"user\":\"0\",\"group\":\"0\"}" --disable-capabilities-restriction --disable-seccomp)
expect_match "--disable-capabilities-restriction: all caps; --disable-seccomp: no filter" "$HOST_BND CapAmb:0+ NoNewPrivs:0 Seccomp:0" "$OUT"
OUT=$(run_one '{"exec":["/bin/cat","/tmp/pre"],"user":"user","group":"user","eventHandlers":[{"name":"pre-start","exec":["/bin/sh","-c","/status.sh >/tmp/pre"]}]}')
expect_match "the pre-start handler gets the app's restrictions" \
  "CapEff:0+ CapBnd:$DEFAULT_CAPS CapAmb:0+ NoNewPrivs:1 Seccomp:2" "$OUT"
OUT=$(run_one "{$STATUS_APP,\"user\":\"0\",\"group\":\"0\",\"isolators\":[{\"name\":\"os/linux/no-new-privileges\",\"value\":true}]}")
expect_match "no-new-privileges isolator" "NoNewPrivs:1" "$OUT"
# mkdir(2) in a forked child ((exec ...)): busybox runs some applets inside the shell itself.
OUT=$(run_one '{"exec":["/bin/sh","-c","(exec mkdir /made) 2>&1; echo rc=$?"],"user":"0","group":"0","isolators":[{"name":"os/linux/seccomp-remove-set","value":{"set":["mkdir","mkdirat"],"errno":"EPERM"}}]}')
expect_match "seccomp remove-set with errno: mkdir fails with EPERM" "Operation not permitted.*rc=1" "$(echo $OUT)"
OUT=$(run_one '{"exec":["/bin/sh","-c","(exec mkdir /made); echo rc=$?"],"user":"0","group":"0","isolators":[{"name":"os/linux/seccomp-remove-set","value":{"set":["mkdir","mkdirat"]}}]}')
expect_match "seccomp remove-set without errno: mkdir killed by SIGSYS (128+31)" "rc=159" "$OUT"
OUT=$(run_one '{"exec":["/bin/sh","-c","mkdir -p /m; mount -t tmpfs none /m; echo rc=$?; uname -s"],"user":"0","group":"0"}')
expect_match "default allow-list: mount(2) kills with SIGSYS, uname allowed" "rc=159 Linux" "$(echo $OUT)"
OUT=$(run_one '{"exec":["/bin/sh","-c","mkdir -p /m; mount -t tmpfs none /m; echo rc=$?"],"user":"0","group":"0","isolators":[{"name":"os/linux/seccomp-retain-set","value":{"set":["@appc.io/all"]}}]}')
expect_match "retain-set @appc.io/all: no filter (mount refused by caps only: EPERM)" "rc=(1|255)" "$OUT"
OUT=$(run_one '{"exec":["/bin/sh","-c","{ echo x >/proc/sys/kernel/hostname; } 2>&1; echo rc=$?; echo kallsyms=$(cat /proc/kallsyms | wc -c) config=$(cat /proc/config.gz | wc -c); echo firmware=$(ls /sys/firmware | wc -l); grep -c \" /proc/sys proc ro,\" /proc/self/mounts"],"user":"0","group":"0"}')
expect_match "/proc/sys is read-only (writing kernel.hostname: EROFS)" "Read-only file system rc=1" "$(echo $OUT)"
expect_match "/proc/kallsyms, /proc/config.gz and /sys/firmware are empty" "kallsyms=0 config=0 firmware=0 1" "$(echo $OUT)"
if [ -e /proc/sysrq-trigger ]; then
  OUT=$(run_one '{"exec":["/bin/sh","-c","{ echo h >/proc/sysrq-trigger; } 2>&1; echo rc=$?"],"user":"0","group":"0"}')
  expect_match "/proc/sysrq-trigger is read-only" "Read-only file system rc=1" "$(echo $OUT)"
else
  echo "skip /proc/sysrq-trigger: this kernel has none"
fi
OUT=$(run_one '{"exec":["/bin/sh","-c","grep -c \" /proc/sys proc ro,\" /proc/self/mounts"],"user":"0","group":"0"}' --disable-paths)
expect_eq "--disable-paths: /proc/sys is not remounted read-only" 0 "$OUT"
OUT=$(run_one '{"exec":["/bin/sh","-c","ls /dev | tr \"\\n\" \" \"; mknod /tmp/n c 1 3 && echo mknod-ok"],"user":"0","group":"0"}')
expect_match "/dev has only the OS-SPEC nodes (no loop-control); mknod of a null-like node works" \
  "^console fd full null ptmx pts random shm stderr stdin stdout tty urandom zero mknod-ok" "$(echo $OUT)"
OUT=$(run_one '{"exec":["/bin/true"],"user":"0","group":"0","isolators":[{"name":"example.com/unknown","value":{}},{"name":"os/linux/selinux-context","value":{"user":"u","role":"r","type":"t","level":"s0"}}]}')
expect_match "unsupported isolators are reported" \
  'stage1: app "sec": ignoring isolators not supported: .*example.com/unknown' "$OUT"
no_mounts_left "security"

echo
if [ "$FAILURES" -eq 0 ]; then
  echo "all $CHECKS checks passed"
else
  echo "$FAILURES of $CHECKS checks FAILED"
fi
[ "$FAILURES" -eq 0 ]

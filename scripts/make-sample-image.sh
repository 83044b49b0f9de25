#!/usr/bin/env bash
# Builds the bundled sample image: a busybox ACI made from Debian's busybox-static, signed with a
# key generated on the spot, so that the demo exercises `rkt trust` and a verified `rkt fetch`.
#
#   scripts/make-sample-image.sh OUTDIR [--force]
#
# Writes OUTDIR/busybox.aci (gzip), OUTDIR/busybox.aci.asc (armored detached signature) and
# OUTDIR/sample-key.asc (armored public key). Idempotent: when the three files are already there and
# newer than /bin/busybox and this script, nothing is rebuilt (pass --force to rebuild). The ACI
# itself is reproducible (fixed owners, order and mtimes); only the key changes on a rebuild.
set -euo pipefail

usage() { echo "usage: $0 OUTDIR [--force]" >&2; exit 2; }
(($# >= 1 && $# <= 2)) || usage
outdir=$1
force=${2:-}
[[ -z $force || $force == --force ]] || usage

busybox=/bin/busybox
[[ -x $busybox ]] || { echo "$0: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }
for tool in gpg gpgconf tar gzip; do
  command -v "$tool" >/dev/null || { echo "$0: $tool not found" >&2; exit 1; }
done

aci=$outdir/busybox.aci
sig=$outdir/busybox.aci.asc
pubkey=$outdir/sample-key.asc
script=${BASH_SOURCE[0]}

up_to_date() {
  local f
  for f in "$aci" "$sig" "$pubkey"; do
    [[ -s $f && $f -nt $busybox && $f -nt $script ]] || return 1
  done
}
if [[ -z $force ]] && up_to_date; then
  echo "sample image up to date: $aci"
  exit 0
fi

# appc spells architectures its own way (spec: ValidOSArch).
appc_arch() {
  case $(uname -m) in
    x86_64) echo amd64 ;;
    i?86) echo i386 ;;
    aarch64) echo aarch64 ;;
    armv7*) echo armv7l ;;
    armv6*) echo armv6l ;;
    ppc64le) echo ppc64le ;;
    ppc64) echo ppc64 ;;
    s390x) echo s390x ;;
    *) uname -m ;;
  esac
}

busybox_version() {
  local v
  v=$("$busybox" --help 2>&1 | sed -n '1s/^BusyBox v\([0-9][0-9.]*\).*/\1/p')
  echo "${v:-1.0}"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/rkt-sample.XXXXXX")
gnupghome=$work/gnupg
cleanup() {
  # The key was made in a throw-away home: stop its agent so no gpg-agent outlives us.
  if [[ -d $gnupghome ]]; then
    gpgconf --homedir "$gnupghome" --kill all 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- rootfs -------------------------------------------------------------------------------------
stage=$work/stage
rootfs=$stage/rootfs
mkdir -p "$rootfs"/{bin,etc,root,dev,proc,sys}
install -d -m 1777 "$rootfs/tmp"
install -m 0755 "$busybox" "$rootfs/bin/busybox"
applets=(sh ash ls cat echo ps id env true false sleep mkdir rmdir rm cp mv ln pwd hostname uname
  whoami grep sed awk head tail wc touch chmod chown date dirname basename find test printf kill
  mount umount stat du df readlink sort uniq tr cut tee xargs which vi less more wget nc ip
  ifconfig ping sha256sum sha512sum md5sum tar gzip gunzip zcat seq yes expr dd free top uptime
  watch mktemp realpath nproc timeout)
available=" $("$busybox" --list | tr '\n' ' ') "
for applet in "${applets[@]}"; do
  [[ $available == *" $applet "* ]] && ln -s busybox "$rootfs/bin/$applet"
done
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
  >"$rootfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$rootfs/etc/group"
chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group"

# --- manifest -----------------------------------------------------------------------------------
cat >"$stage/manifest" <<EOF
{
  "acKind": "ImageManifest",
  "acVersion": "0.8.11",
  "name": "example.com/busybox",
  "labels": [
    {"name": "version", "value": "$(busybox_version)"},
    {"name": "os", "value": "linux"},
    {"name": "arch", "value": "$(appc_arch)"}
  ],
  "app": {
    "exec": ["/bin/sh"],
    "user": "0",
    "group": "0",
    "workingDirectory": "/",
    "environment": [
      {"name": "PATH", "value": "/bin"}
    ]
  },
  "annotations": [
    {"name": "authors", "value": "rkt sample <sample@example.com>"}
  ]
}
EOF

# --- ACI: reproducible tar (fixed order, owners and mtimes), gzip without name/timestamp --------
mkdir -p "$outdir"
mtime=$(stat -c %Y "$busybox")
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
  --format=ustar -cf - manifest rootfs | gzip -n -9 >"$work/busybox.aci"

# --- signing key and signature ------------------------------------------------------------------
mkdir -m 0700 "$gnupghome"
export GNUPGHOME=$gnupghome
gpg --batch --quiet --passphrase '' --quick-gen-key "rkt sample <sample@example.com>" ed25519 sign never
gpg --batch --quiet --armor --export "sample@example.com" >"$work/sample-key.asc"
gpg --batch --quiet --yes --armor --detach-sign --output "$work/busybox.aci.asc" "$work/busybox.aci"
gpg --batch --quiet --verify "$work/busybox.aci.asc" "$work/busybox.aci" 2>/dev/null

# Publish the three files together: an interrupted run leaves an incomplete set, which
# up_to_date() rejects, never an old ACI beside a new signature.
rm -f "$aci" "$sig" "$pubkey"
mv "$work/sample-key.asc" "$pubkey"
mv "$work/busybox.aci.asc" "$sig"
mv "$work/busybox.aci" "$aci"

if command -v actool >/dev/null; then
  actool validate "$aci"
fi
echo "sample image: $aci"
echo "signature:    $sig"
echo "public key:   $pubkey"

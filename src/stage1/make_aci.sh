#!/bin/sh
# make_aci.sh MANIFEST BINARY OUTPUT MAIN_NAME [LINK_NAME...]
# Packs a stage1 ACI (an uncompressed tar): `manifest`, rootfs/<MAIN_NAME> (the stripped static
# binary), rootfs/<LINK_NAME> -> MAIN_NAME symlinks (the binary dispatches on argv[0]), and the
# directories the stage1 interface reserves. Owned by root, reproducible (sorted, mtime 0).
set -eu
manifest=$1 binary=$2 output=$3 main=$4
shift 4
stage=$(mktemp -d "${output}.staging.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/rootfs
mkdir -p "$root/opt/stage2" "$root/rkt/status" "$root/rkt/env" "$root/rkt/logs" \
         "$root/proc" "$root/sys" "$root/dev"
cp "$manifest" "$stage/manifest"
cp "$binary" "$root/$main"
"${STRIP:-strip}" --strip-all "$root/$main"
chmod 0755 "$root/$main"
for link in "$@"; do
  ln -s "$main" "$root/$link"
done
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=ustar \
    -C "$stage" -cf "$output.tmp" manifest rootfs
mv "$output.tmp" "$output"

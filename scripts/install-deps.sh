#!/usr/bin/env bash
# Installs every Debian 12 package rkt needs to build, run, test and benchmark. Idempotent.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git
  # libraries
  libarchive-dev libcurl4-openssl-dev libssl-dev libgpgme-dev libsqlite3-dev libseccomp-dev
  libcap-dev nlohmann-json3-dev libcli11-dev libfmt-dev libgoogle-perftools-dev libzstd-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc libcpp-httplib-dev
  libsystemd-dev nettle-dev
  # the archives rkt links statically: libarchive's (pkg-config --static --libs libarchive) and
  # gpgme's (rkt_static_library in CMakeLists.txt)
  libacl1-dev liblz4-dev libbz2-dev liblzma-dev libxml2-dev zlib1g-dev libassuan-dev
  libgpg-error-dev
  # tests
  libgtest-dev libgmock-dev gnupg busybox-static appc-spec zstd xz-utils bzip2 util-linux
  file iproute2
  # systemd-machined and a D-Bus daemon of its own for the machined registration tests
  systemd-container dbus
  # web servers and certificates of the remote fetch tests (helpers/https_server.py, a test CA)
  python3 openssl curl jq bc
  # peers for tests and benchmarks
  skopeo docker-registry umoci crun runc hyperfine containernetworking-plugins iptables
  google-perftools
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# rkt's groups: members of `rkt` may fetch and read images without root.
getent group rkt >/dev/null || groupadd --system rkt
getent group rkt-admin >/dev/null || groupadd --system rkt-admin

#!/bin/sh
# deps.sh [demo|test|real|pkg|cross|deploy]... - install the Debian 12 packages a job
# needs, only those missing.  Idempotent; needs root (or sudo) for apt-get.
set -eu
pkgs="build-essential autoconf automake libtool pkg-config libcriterion-dev libseccomp-dev"
for job in "$@"; do
	case $job in
	demo) ;;
	test) pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross clang xz-utils python3 prometheus valgrind strace musl-tools" ;; # prometheus: promtool; valgrind: bench-check; musl-tools: the musl archive
	real) pkgs="$pkgs qemu-system-arm qemu-system-x86 gcc-aarch64-linux-gnu libc6-dev-arm64-cross cpio xz-utils zstd musl-tools python3 golang-go" ;; # python3: replay.sh rebuilds the recording; golang-go: the Go VMM
	pkg) pkgs="$pkgs debhelper dpkg-dev lintian fakeroot" ;;
	cross) pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user libseccomp-dev:arm64" ;;
	deploy) pkgs="$pkgs libvirt-daemon-system libvirt-clients qemu-system-x86 systemd apparmor python3" ;;
	*) echo "deps.sh: unknown job '$job' (demo, test, real, pkg, cross, deploy)" >&2; exit 2 ;;
	esac
done
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:$missing"
sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
case $missing in *:arm64*) dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64 ;; esac
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null

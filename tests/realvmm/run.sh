#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/realvmm/run.sh - Debian 12's QEMU under the shim on real KVM.
#
# Inside each Debian kernel that tests/realkvm boots under QEMU TCG (L1:
# 5.10, 6.1, 6.12; real KVM runs nested there), Debian 12's own QEMU
# (qemu-system-x86_64 from this host, qemu-system-aarch64 from Debian's arm64
# packages) boots an L2 Linux guest with -accel kvm: the same kernel, with a
# tiny static init (guest-init.c) doing MMIO, port I/O and virtio work.  Each
# configuration (base, -smp 2, -sandbox on) runs without and with the shim;
# the console transcripts and exit statuses must be identical, the shim's
# stats must show the vCPUs and their KVM_RUNs, and nothing may be logged.  A
# control run with a broken preload (badmmio.c) must come out different.
#
#   run.sh [--arch arm64|x86_64|all] [--top-srcdir DIR] [--top-builddir DIR]
#
# Exit: 0 all identical, 1 a difference, a warning or a failed boot,
#       77 skipped (no cached kernels and tests/realkvm cannot fetch them,
#       or the arm64 QEMU packages cannot be downloaded and none are cached).
#
# Environment:
#   KVMRC_REALKVM_CACHE  the kernels of tests/realkvm
#                        (default $HOME/.cache/kvmrun-compat/realkvm)
#   KVMRC_REALVMM_CACHE  arm64 QEMU packages, L2 modules
#                        (default $HOME/.cache/kvmrun-compat/realvmm)
#   KVMRC_REALVMM_WORK   scratch dir (default <top-builddir>/tests/realvmm/work)
#   KVMRC_REALVMM_JOBS   L1 guests booted in parallel (default 2)
#   KVMRC_REALVMM_L2_TIMEOUT  seconds per L2 QEMU run (default 90)
#   KVMRC_REALVMM_CONFIGS     default "base smp2 sandbox"
#   KVMRC_REALVMM_CONTROL     kernels (series) that also run the control,
#                        default "6.1"; "none" for no control
#   KVMRC_REALVMM_WRAPPER     kernels (series) that also run QEMU through the
#                        kvmrun-compat wrapper, default "6.12"; "none"
#   KVMRC_REALVMM_SERIES      only these kernel series, e.g. "6.1 6.12"
#   KVMRC_REALVMM_SHIM_ENV    NAME=value words for the runs with the shim,
#                        e.g. KVMRUN_COMPAT_LOG_LEVEL=debug (then stderr differs)
#   KVMRC_REALVMM_SHIM   path of an x86_64 preload library to test instead of
#                        <top-builddir>/.libs/libkvmrun-compat-preload.so
set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/../.." && pwd)
top_builddir=
archs=all
while [ $# -gt 0 ]; do
	case $1 in
	--arch) archs=$2; shift 2 ;;
	--arch=*) archs=${1#*=}; shift ;;
	--top-srcdir) top_srcdir=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	--top-srcdir=*) top_srcdir=$(cd "${1#*=}" && pwd) || exit 2; shift ;;
	--top-builddir) top_builddir=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	--top-builddir=*) top_builddir=$(cd "${1#*=}" && pwd) || exit 2; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;/^set -u/d'; exit 0 ;;
	*) echo "realvmm: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$top_builddir" ] || top_builddir=$top_srcdir
[ "$archs" = all ] && archs="x86_64 arm64"

kcache=${KVMRC_REALKVM_CACHE:-${HOME:-/root}/.cache/kvmrun-compat/realkvm}
cache=${KVMRC_REALVMM_CACHE:-${HOME:-/root}/.cache/kvmrun-compat/realvmm}
work=${KVMRC_REALVMM_WORK:-$top_builddir/tests/realvmm/work}
jobs=${KVMRC_REALVMM_JOBS:-2}
l2_timeout=${KVMRC_REALVMM_L2_TIMEOUT:-90}
configs=${KVMRC_REALVMM_CONFIGS:-base smp2 sandbox}
control=${KVMRC_REALVMM_CONTROL:-6.1}
wrapper=${KVMRC_REALVMM_WRAPPER:-6.12}
t_start=$(date +%s)

log() { echo "realvmm: $*"; }
die() { echo "realvmm: ERROR: $*" >&2; exit 1; }
skip() { echo "realvmm: SKIP: $*"; exit 77; }
elapsed() { echo $(( $(date +%s) - t_start ))s; }
debarch() { case $1 in arm64) echo arm64 ;; x86_64) echo amd64 ;; esac; }

mkdir -p "$cache" "$work" || die "cannot create $cache or $work"
. "$here/fetch.sh"
. "$top_srcdir/tests/realkvm/l1boot.sh"

# ------------------------------------------------------- 1. kernels, packages
for a in $archs; do
	case $a in x86_64|arm64) ;; *) die "unknown arch $a" ;; esac
	if [ "$(KVMRC_REALVMM_SERIES= kernels_of "$a" | grep -c .)" -lt 3 ]; then
		log "no cached $a kernels in $kcache: fetching them with tests/realkvm/run.sh"
		KVMRC_REALKVM_EMU_COMPARE=off KVMRC_REALKVM_CACHE=$kcache \
			bash "$top_srcdir/tests/realkvm/run.sh" --arch "$a" --top-srcdir "$top_srcdir" \
			--top-builddir "$top_builddir" >"$work/realkvm-$a.log" 2>&1
		[ "$(kernels_of "$a" | grep -c .)" -ge 3 ] ||
			skip "no Debian $a kernels cached in $kcache (log: $work/realkvm-$a.log)"
	fi
done
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (tools/deps.sh installs qemu-system-x86)"
if echo " $archs " | grep -q ' arm64 '; then
	command -v aarch64-linux-gnu-gcc >/dev/null || die "aarch64-linux-gnu-gcc missing (gcc-aarch64-linux-gnu)"
	command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 missing (qemu-system-arm)"
	fetch_arm64_qemu || skip "cannot download Debian's arm64 qemu-system-arm and none cached in $cache (log: $work/apt-arm64.log)"
fi
for a in $archs; do
	for pkg in $(kernels_of "$a"); do
		extract_l2_modules "$a" "$pkg" || die "cannot unpack the virtio modules of $pkg"
		if [ "$a" = x86_64 ]; then extract_vmlinux "$pkg" || die "no ELF vmlinux in $pkg's bzImage"; fi
	done
done
log "kernels and packages ready ($(elapsed))"

# ------------------------------------------------------------- 2. build
CFLAGS_T="-O2 -g0 -Wall -Wextra"
declare -A CC_FOR=([x86_64]=gcc [arm64]=aarch64-linux-gnu-gcc)
declare -A SHIM_LIB WRAPPER_BIN
find_shim() { # dir: the preload object (libkvmrun-compat.so.0 is the linkable
	# API only: preloaded, it tracks nothing)
	[ -e "$1/.libs/libkvmrun-compat-preload.so" ] && readlink -f "$1/.libs/libkvmrun-compat-preload.so"
}
# ------------------
SHIM_LIB[x86_64]=${KVMRC_REALVMM_SHIM:-$(find_shim "$top_builddir")} ||
	die "no $top_builddir/.libs/libkvmrun-compat-preload.so (run make first)"
if echo " $archs " | grep -q ' arm64 '; then
	bd=$top_builddir/_build-aarch64
	if ! SHIM_LIB[arm64]=$(find_shim "$bd"); then
		log "building the arm64 shim in $bd"
		mkdir -p "$bd"
		( cd "$bd" && { [ -f Makefile ] || PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig "$top_srcdir/configure" --host=aarch64-linux-gnu; } &&
		  { make -j2 libkvmrun-compat-preload.la || make -j2; } ) >"$work/build-arm64-shim.log" 2>&1 ||
			die "arm64 cross build of the shim failed (log: $work/build-arm64-shim.log)"
		SHIM_LIB[arm64]=$(find_shim "$bd") || die "no arm64 shim in $bd"
	fi
	if [ ! -x "$bd/tools/kvmrun-compat" ]; then
		make -C "$bd" -j2 tools/kvmrun-compat >>"$work/build-arm64-shim.log" 2>&1 ||
			die "arm64 cross build of the wrapper failed (log: $work/build-arm64-shim.log)"
	fi
	WRAPPER_BIN[arm64]=$bd/tools/kvmrun-compat
fi
WRAPPER_BIN[x86_64]=$top_builddir/tools/kvmrun-compat
[ -x "${WRAPPER_BIN[x86_64]}" ] || die "no ${WRAPPER_BIN[x86_64]} (run make first)"
for a in $archs; do
	mkdir -p "$work/$a"
	${CC_FOR[$a]} -static $CFLAGS_T -o "$work/$a/l1-init" "$here/l1-init.c" || die "cannot build $a l1-init"
	${CC_FOR[$a]} -static $CFLAGS_T -o "$work/$a/guest-init" "$here/guest-init.c" || die "cannot build $a guest-init"
	${CC_FOR[$a]} -shared -fPIC $CFLAGS_T -o "$work/$a/libbadmmio.so" "$here/badmmio.c" -ldl ||
		die "cannot build $a badmmio"
	log "$a shim: ${SHIM_LIB[$a]}"
done
. "$here/pack.sh"
for a in $archs; do
	pack_qemu_root "$a" || die "cannot pack $a QEMU"
	for pkg in $(kernels_of "$a"); do pack_kernel "$a" "$pkg" || die "cannot pack $pkg"; done
done
log "initramfs built ($(elapsed))"

# ------------------------------------------------------------- 3. boot
# configurations of runs-<pkg> whose result is not yet on the console: done
# is an identical pair, a pair's second try, or the control
remaining() { # runsfile log
	local cfg
	for cfg in $(awk '{ print $2 }' "$1"); do
		grep -a -E "RV-PAIR kind=[A-Z]+ cfg=$cfg " "$2" 2>/dev/null | tail -1 |
			grep -a -q -E 'verdict=identical|try=2 |kind=CONTROL' && continue
		echo "$cfg"
	done | paste -sd, -
}

# one L1 guest; restarted (at most twice) with the configurations not yet
# done when its console stays silent longer than an L2 run may take
boot_one() { # arch pkg
	local a=$1 pkg=$2 logf=$work/logs/$1-$2.log t0 rc attempt only
	local k=$(l1_kernel "$a" "$pkg") initrd=$work/$a/l1-$pkg.cpio.gz runs=$work/$a/runs-$pkg
	local l1_timeout=$(( $(grep -c . "$runs") * 4 * l2_timeout + 120 )) stall=$(( l2_timeout + 60 ))
	t0=$(date +%s)
	: >"$logf"
	for attempt in 1 2 3; do
		only=$(remaining "$runs" "$logf")
		[ -n "$only" ] || break
		[ "$attempt" -gt 1 ] && echo "RV-L1-RESTART arch=$a pkg=$pkg attempt=$attempt only=$only" >>"$logf"
		l1_boot "$a" "$k" "$initrd" "quiet realvmm.only=$only" 1536 "$l1_timeout" "$stall" "$logf" RV
		rc=$?
		grep -a -q 'RV-L1-END' "$logf" && [ -z "$(remaining "$runs" "$logf")" ] && break
	done
	echo "RV-L1-EXIT arch=$a pkg=$pkg rc=$rc seconds=$(( $(date +%s) - t0 ))" | tee -a "$logf"
}

rm -rf "$work/logs" && mkdir -p "$work/logs"
running=0
for a in $archs; do
	for pkg in $(kernels_of "$a"); do
		boot_one "$a" "$pkg" &
		running=$((running + 1))
		if [ $running -ge "$jobs" ]; then
			wait -n
			running=$((running - 1))
		fi
	done
done
wait
log "all boots done ($(elapsed))"

# ------------------------------------------------------------- 4. judge
for a in $archs; do
	for pkg in $(kernels_of "$a"); do
		echo "RV-LOG arch=$a pkg=$pkg"
		tr -d '\r' <"$work/logs/$a-$pkg.log"
	done
done >"$work/console.txt"
awk -v configs="$configs" -f "$here/report.awk" "$work/console.txt" | tee "$work/results.txt"
rc=$?
log "total $(elapsed); consoles in $work/logs, summary in $work/results.txt"
exit $rc

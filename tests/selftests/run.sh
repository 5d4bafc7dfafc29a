#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/selftests/run.sh - the kernel's own KVM selftests under the shim, on
# real KVM.
#
# Builds tools/testing/selftests/kvm from Debian's linux-source-<series>
# (build.sh), boots the matching Debian kernel under QEMU TCG (L1, real KVM
# nested, as tests/realkvm does) and runs each test there without and with
# the shim preloaded (st-init.c).  A test whose exit status differs, and
# differs again when the pair is rerun, fails; one that differs once is flaky;
# tests that fail the same way both times are environment limits and are
# listed.  A control preload (zeroexit.c, erasing what the kernel wrote) must
# make its tests differ.  A kernel oops or a wedged L1 guest is reported as
# such; the guest is booted again from the test that was running, which is
# rerun before it is judged.
#
#   run.sh [--arch arm64|x86_64|all] [--series "6.1 ..."] [--top-srcdir DIR]
#          [--top-builddir DIR]
#
# Exit: 0 no test differs and the control differs, 1 otherwise, 77 skipped
#       (no kernel and no source package can be had).
#
# Environment:
#   KVMRC_REALKVM_CACHE    kernels (tests/realkvm's cache)
#   KVMRC_SELFTESTS_CACHE  linux-source .debs and built selftests
#                          (default $HOME/.cache/kvmrun-compat/selftests)
#   KVMRC_SELFTESTS_WORK   scratch dir (default <top-builddir>/tests/selftests/work)
#   KVMRC_SELFTESTS_SERIES kernel series, default "6.1" (--series)
#   KVMRC_SELFTESTS_TESTS  "subset" (default: every built test but the slow
#                          ones of tests.txt), "all", or test paths, e.g.
#                          "x86_64/userspace_io_test"
#   KVMRC_SELFTESTS_TIMEOUT seconds per test run (default 60)
#   KVMRC_SELFTESTS_JOBS   L1 guests booted in parallel (default 2)
#   KVMRC_SELFTESTS_CONTROL on (default) or off
#   KVMRC_SELFTESTS_SHIM   an x86_64 preload object to test instead of the
#                          build's .libs/libkvmrun-compat-preload.so
set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/../.." && pwd)
top_builddir=
archs=all
series=${KVMRC_SELFTESTS_SERIES:-6.1}
while [ $# -gt 0 ]; do
	case $1 in
	--arch) archs=$2; shift 2 ;;
	--arch=*) archs=${1#*=}; shift ;;
	--series) series=$2; shift 2 ;;
	--series=*) series=${1#*=}; shift ;;
	--top-srcdir) top_srcdir=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	--top-srcdir=*) top_srcdir=$(cd "${1#*=}" && pwd) || exit 2; shift ;;
	--top-builddir) top_builddir=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	--top-builddir=*) top_builddir=$(cd "${1#*=}" && pwd) || exit 2; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;/^set -u/d'; exit 0 ;;
	*) echo "selftests: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$top_builddir" ] || top_builddir=$top_srcdir
[ "$archs" = all ] && archs="x86_64 arm64"

cache=${KVMRC_REALKVM_CACHE:-${HOME:-/root}/.cache/kvmrun-compat/realkvm}
stcache=${KVMRC_SELFTESTS_CACHE:-${HOME:-/root}/.cache/kvmrun-compat/selftests}
work=${KVMRC_SELFTESTS_WORK:-$top_builddir/tests/selftests/work}
jobs=${KVMRC_SELFTESTS_JOBS:-2}
ttimeout=${KVMRC_SELFTESTS_TIMEOUT:-60}
tests_sel=${KVMRC_SELFTESTS_TESTS:-subset}
suites="bullseye bookworm trixie"
t_start=$(date +%s)

log() { echo "selftests: $*"; }
die() { echo "selftests: ERROR: $*" >&2; exit 1; }
skip() { echo "selftests: SKIP: $*"; exit 77; }
elapsed() { echo $(( $(date +%s) - t_start ))s; }

mkdir -p "$cache" "$stcache" "$work" || die "cannot create $cache, $stcache or $work"
for t in qemu-system-x86_64 qemu-system-aarch64 aarch64-linux-gnu-gcc dpkg-deb cpio xz make; do
	command -v $t >/dev/null || die "$t missing (tools/deps.sh real cross)"
done
. "$top_srcdir/tests/realkvm/kernels.sh"
. "$top_srcdir/tests/realkvm/l1boot.sh"
. "$here/build.sh"

# ------------------------------------------------ 1. kernels and sources
kernels_apt_init
# the newest cached kernel package of a series for one arch, fetched when
# none is cached
kernel_of() { # arch series
	local da=$(debarch "$1") p
	p=$(ls "$cache/kernels" 2>/dev/null | grep -E "^linux-image-$2[.-].*-$da\$" |
		while read -r k; do [ -f "$cache/kernels/$k/.complete" ] && echo "$k"; done | sort -V | tail -1)
	if [ -z "$p" ] && [ "$online" = 1 ]; then
		p=$(resolve_kernels "$da" | grep -E "^linux-image-$2[.-]" | tail -1)
		[ -n "$p" ] && { extract_kernel "$1" "$p" >&2 || p=; }
	fi
	[ -n "$p" ] && echo "$p"
}

declare -A KPKG STDIR
for a in $archs; do case $a in x86_64|arm64) ;; *) die "unknown arch $a" ;; esac; done
# series outside, arch inside: one unpacked source serves both arches
for s in $series; do
	for a in $archs; do
		k=$(kernel_of "$a" "$s") || skip "no Debian $s $a kernel cached in $cache and none downloadable"
		v=$(kernel_version_of "$a" "$k") || skip "no .deb of $k in $cache/debs"
		deb=$(fetch_source "$s" "$v") || skip "cannot download linux-source-$s"
		build_selftests "$a" "$deb" || die "cannot build the $a selftests from $deb"
		KPKG[$a,$s]=$k
		STDIR[$a,$s]=$ST_DIR
	done
done
[ -n "${src_tree:-}" ] && rm -rf "$src_tree"
log "kernels and selftests ready ($(elapsed))"

# ------------------------------------------------------------- 2. build
CFLAGS_T="-O2 -g0 -Wall -Wextra"
declare -A CC_FOR=([x86_64]=gcc [arm64]=aarch64-linux-gnu-gcc)
declare -A LIBDIRS=([x86_64]="/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu"
	[arm64]="/usr/aarch64-linux-gnu/lib /usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu") # the last two: libseccomp:arm64
declare -A SHIM_LIB
find_preload() { [ -e "$1/.libs/libkvmrun-compat-preload.so" ] && readlink -f "$1/.libs/libkvmrun-compat-preload.so"; }
SHIM_LIB[x86_64]=${KVMRC_SELFTESTS_SHIM:-$(find_preload "$top_builddir")} ||
	die "no $top_builddir/.libs/libkvmrun-compat-preload.so (run make first)"
if echo " $archs " | grep -q ' arm64 '; then
	# the cross build of tests/realkvm and tests/realvmm, brought up to date
	bd=$top_builddir/_build-aarch64
	mkdir -p "$bd"
	( cd "$bd" && { [ -f Makefile ] || PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig "$top_srcdir/configure" --host=aarch64-linux-gnu; } &&
	  { make -j2 libkvmrun-compat-preload.la || make -j2; } ) >"$work/build-arm64-shim.log" 2>&1 ||
		die "arm64 cross build of the shim failed (log: $work/build-arm64-shim.log)"
	SHIM_LIB[arm64]=$(find_preload "$bd") || die "no arm64 shim in $bd"
fi

# copy the shared libraries an ELF file needs (recursively) into $root/lib
copy_needed() { # arch elf root
	l1_copy_needed "$2" "$3" ${LIBDIRS[$1]}
}

# the tests of one arch and series, one path a line
tests_of() { # arch series
	local d=${STDIR[$1,$2]}
	case $tests_sel in
	all) cat "$d/built.txt" ;;
	subset) grep -v -x -F -f <(awk -v a="$1" '$1 == "slow" && ($2 == a || $2 == "all") { print $3 }' "$here/tests.txt") "$d/built.txt" ;;
	*) for t in $tests_sel; do grep -x -F "$t" "$d/built.txt"; done ;;
	esac
}

# the initramfs: /init, the tests, their loader and libraries, the shim, the
# control preload, the kvm modules, /tests
pack() { # arch series
	local a=$1 s=$2 root=$work/$1-$2/root d=${STDIR[$1,$2]} t interp
	rm -rf "$root"
	mkdir -p "$root"/{proc,sys,dev,tmp,lib,modules,st}
	cp "$work/$a/st-init" "$root/init"
	cp -a "$d/bin/." "$root/st/"
	t=$(head -1 "$d/built.txt")
	interp=$(readelf -l "$d/bin/$t" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	mkdir -p "$root$(dirname "$interp")"
	for dir in ${LIBDIRS[$a]}; do
		[ -e "$dir/$(basename "$interp")" ] && { cp -L "$dir/$(basename "$interp")" "$root$interp"; break; }
	done
	[ -e "$root$interp" ] || { log "no $interp for $a"; return 1; }
	for t in $(cat "$d/built.txt"); do copy_needed "$a" "$d/bin/$t" "$root" || return 1; done
	# glibc dlopen()s libgcc_s for pthread_cancel (xapic_ipi_test)
	for dir in ${LIBDIRS[$a]}; do
		[ -e "$dir/libgcc_s.so.1" ] && { cp -L "$dir/libgcc_s.so.1" "$root/lib/"; break; }
	done
	cp -L "${SHIM_LIB[$a]}" "$root/lib/libkvmrun-compat-preload.so" &&
		l1_copy_needed "$root/lib/libkvmrun-compat-preload.so" "$root" "$(dirname "${SHIM_LIB[$a]}")" \
			${LIBDIRS[$a]} || return 1 # the API library beside it (.libs)
	cp "$work/$a/libzeroexit.so" "$root/lib/" && copy_needed "$a" "$root/lib/libzeroexit.so" "$root" || return 1
	[ -d "$cache/kernels/${KPKG[$a,$s]}/modules" ] && cp "$cache/kernels/${KPKG[$a,$s]}/modules/"* "$root/modules/"
	{
		for t in $(tests_of "$a" "$s"); do echo "TEST $t $ttimeout /st/$t"; done
		if [ "${KVMRC_SELFTESTS_CONTROL:-on}" != off ]; then
			awk -v a="$a" '$1 == "control" && $2 == a { print $3 }' "$here/tests.txt" |
				grep -x -F -f "$d/built.txt" | while read -r t; do echo "CONTROL $t $ttimeout /st/$t"; done
		fi
	} >"$work/$a-$s/tests"
	cp "$work/$a-$s/tests" "$root/tests"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$work/$a-$s/initrd.cpio.gz"
	rm -rf "$root"
}

for a in $archs; do
	mkdir -p "$work/$a"
	${CC_FOR[$a]} -static $CFLAGS_T -o "$work/$a/st-init" "$here/st-init.c" || die "cannot build $a st-init"
	${CC_FOR[$a]} -shared -fPIC $CFLAGS_T -o "$work/$a/libzeroexit.so" "$here/zeroexit.c" -ldl ||
		die "cannot build $a zeroexit"
	log "$a shim: ${SHIM_LIB[$a]}"
	for s in $series; do
		mkdir -p "$work/$a-$s"
		pack "$a" "$s" || die "cannot pack the $a $s initramfs"
	done
done
log "initramfs built ($(elapsed))"

# ------------------------------------------------------------- 3. boot
# one L1 guest per arch and series, booted again (at most 5 times) from the
# test that was running when it oopsed or went silent; a test that takes the
# kernel down twice is judged "oops" or "hang" and skipped
boot_one() { # arch series
	local a=$1 s=$2 logf=$work/logs/$1-$2.log t0 rc attempt from=0 idx last_idx=-1 hits=0
	local k=$cache/kernels/${KPKG[$1,$2]}/vmlinuz initrd=$work/$1-$2/initrd.cpio.gz
	local n=$(grep -c . "$work/$1-$2/tests")
	local l1_timeout=$(( n * 4 * (ttimeout + 5) + 180 )) stall=$(( ttimeout + 60 )) blog
	t0=$(date +%s)
	: >"$logf"
	for attempt in 1 2 3 4 5; do
		[ "$from" -ge "$n" ] && break
		[ "$attempt" -gt 1 ] && echo "ST-L1-RESTART attempt=$attempt from=$from" >>"$logf"
		blog=$work/logs/$a-$s.boot$attempt
		: >"$blog"
		l1_boot "$a" "$k" "$initrd" "loglevel=5 selftests.from=$from" 1536 "$l1_timeout" "$stall" "$blog" ST 1
		rc=$?
		tr -d '\r' <"$blog" >>"$logf"
		rm -f "$blog"
		grep -a -q '^ST-L1-END' "$logf" && [ "$rc" != 125 ] && break
		# the test that was running: rerun it once, then judge it and go on
		idx=$(grep -a -o '^ST-TEST index=[0-9]*' "$logf" | tail -1 | cut -d= -f2)
		idx=${idx:-$from}
		if [ "$idx" = "$last_idx" ]; then
			hits=$((hits + 1))
		else
			hits=1 last_idx=$idx
		fi
		if [ "$hits" -ge 2 ]; then
			echo "ST-GIVEUP index=$idx" >>"$logf"
			from=$((idx + 1))
		else
			from=$idx
		fi
	done
	echo "ST-L1-EXIT arch=$a series=$s rc=$rc seconds=$(( $(date +%s) - t0 ))" | tee -a "$logf"
}

rm -rf "$work/logs" && mkdir -p "$work/logs"
running=0
for a in $archs; do
	for s in $series; do
		boot_one "$a" "$s" &
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
	for s in $series; do
		echo "ST-LOG arch=$a series=$s kernel=${KPKG[$a,$s]} source=$(basename "${STDIR[$a,$s]}")"
		sed 's/^/ST-NOTBUILT /' "${STDIR[$a,$s]}/notbuilt.txt"
		cat "$work/logs/$a-$s.log"
	done
done >"$work/console.txt"
awk -f "$here/report.awk" "$work/console.txt" | tee "$work/results.txt"
rc=$?
log "total $(elapsed); consoles in $work/logs, summary in $work/results.txt"
exit $rc

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/realkvm/run.sh - real-kernel proof harness for kvmrun-compat.
#
# Boots Debian's arm64 and x86_64 kernels (bullseye 5.10, bookworm 6.1,
# trixie 6.12) under QEMU TCG, where real KVM runs nested (arm64: EL2
# emulated; x86_64: AMD SVM + NPT emulated), runs a tiny test VMM (vmm.c)
# without and with the shim preloaded, parses the serial console and compares
# the results with expected.txt.
#
#   run.sh [--arch arm64|x86_64|all] [--top-srcdir DIR] [--top-builddir DIR]
#
# Exit: 0 all as expected, 1 mismatch or a boot failed/timed out,
#       77 skipped (kernels cannot be downloaded and none are cached).
#
# Environment:
#   KVMRC_REALKVM_CACHE  kernel cache (default $HOME/.cache/kvmrun-compat/realkvm)
#   KVMRC_REALKVM_WORK   scratch/build dir (default <top-builddir>/tests/realkvm/work)
#   KVMRC_REALKVM_SHIM   auto (default: with shim when it builds), off, required
#   KVMRC_REALKVM_JOBS   QEMU guests booted in parallel (default 2)
#   KVMRC_REALKVM_TIMEOUT  seconds per boot (default 300)
#   KVMRC_REALKVM_NO_INSTALL=1  never call apt-get install
#   KVMRC_REALKVM_EMU_COMPARE  on (default): after the boots, compare the
#                        emulator (tools/emu) with every kernel that booted
#                        (compare.sh); off: don't
#   KVMRC_REALKVM_STRICT=1  known emulator drifts fail too (compare.sh)
#   GO                   the Go toolchain for the Go VMM (default go; none
#                        working: that step is skipped with one line)
#   KVMRC_REALKVM_DIFF_FLIP=SCEN:BYTE  flip that byte of the shim/filled dump
#                        before the differential check (diff.awk): a failure
#                        to see
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
	*) echo "realkvm: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$top_builddir" ] || top_builddir=$top_srcdir
[ "$archs" = all ] && archs="arm64 x86_64"

cache=${KVMRC_REALKVM_CACHE:-${HOME:-/root}/.cache/kvmrun-compat/realkvm}
work=${KVMRC_REALKVM_WORK:-$top_builddir/tests/realkvm/work}
shim_mode=${KVMRC_REALKVM_SHIM:-auto}
jobs=${KVMRC_REALKVM_JOBS:-2}
boot_timeout=${KVMRC_REALKVM_TIMEOUT:-300}
suites="bullseye bookworm trixie"
t_start=$(date +%s)

log() { echo "realkvm: $*"; }
die() { echo "realkvm: ERROR: $*" >&2; exit 1; }
elapsed() { echo $(( $(date +%s) - t_start ))s; }

mkdir -p "$cache" "$work" || die "cannot create $cache or $work"

# ---------------------------------------------------------------- 1. host deps
need_pkgs=
need() { command -v "$1" >/dev/null 2>&1 || need_pkgs="$need_pkgs $2"; }
need_file() { [ -e "$1" ] || need_pkgs="$need_pkgs $2"; }
need apt-get apt
need dpkg-deb dpkg
need cpio cpio
need gzip gzip
need xz xz-utils
need gcc gcc
need readelf binutils
need timeout coreutils
need_file /usr/share/keyrings/debian-archive-keyring.gpg debian-archive-keyring
need_file /usr/lib/x86_64-linux-gnu/libc.a libc6-dev
for a in $archs; do
	case $a in
	arm64)
		need qemu-system-aarch64 qemu-system-arm
		need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
		need_file /usr/aarch64-linux-gnu/lib/libc.a libc6-dev-arm64-cross ;;
	x86_64)
		need qemu-system-x86_64 qemu-system-x86 ;;
	*) die "unknown arch $a" ;;
	esac
done
if [ -n "$need_pkgs" ]; then
	if [ "${KVMRC_REALKVM_NO_INSTALL:-0}" = 1 ] || [ "$(id -u)" != 0 ]; then
		die "missing host packages:$need_pkgs (install them, or run as root)"
	fi
	log "installing host packages:$need_pkgs"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends $need_pkgs >"$work/apt-install.log" 2>&1; then
		apt-get update >>"$work/apt-install.log" 2>&1
		apt-get install -y --no-install-recommends $need_pkgs >>"$work/apt-install.log" 2>&1 ||
			{ tail -20 "$work/apt-install.log" >&2; die "apt-get install failed (log: $work/apt-install.log)"; }
	fi
fi

# optional: without a Go toolchain the Go VMM (step 5f) is skipped with one line
if ! command -v "${GO:-go}" >/dev/null 2>&1 && [ -z "${GO:-}" ] && [ "${KVMRC_REALKVM_NO_INSTALL:-0}" != 1 ] &&
   [ "$(id -u)" = 0 ]; then
	log "installing golang-go (the Go VMM)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends golang-go >>"$work/apt-install.log" 2>&1 ||
		log "golang-go could not be installed (log: $work/apt-install.log)"
fi

# ---------------------------------------------------------- 2. fetch kernels
. "$here/kernels.sh"
. "$here/l1boot.sh"
kernels_apt_init

declare -A KPKGS
for a in $archs; do
	da=$(debarch "$a")
	pk=
	[ $online = 1 ] && pk=$(resolve_kernels "$da")
	if [ -z "$pk" ]; then
		# offline: use whatever was cached before
		pk=$(ls "$cache/kernels" 2>/dev/null | grep -- "-$da\$" || true)
	fi
	if [ "$(echo "$pk" | grep -c .)" -lt 3 ]; then
		echo "realkvm: SKIP: cannot download Debian $da kernels ($suites) from deb.debian.org and none cached in $cache (see $work/apt-update.log)"
		exit 77
	fi
	KPKGS[$a]=$pk
done

for a in $archs; do
	for pkg in ${KPKGS[$a]}; do
		extract_kernel "$a" "$pkg" || {
			echo "realkvm: SKIP: cannot download or unpack $pkg"
			exit 77
		}
	done
done
log "kernels ready ($(elapsed)): $(echo ${KPKGS[*]})"

# ------------------------------------------------------ 3. build VMM and shim
CFLAGS_T="-O2 -g0 -Wall -Wextra"
declare -A SHIM_LIB WRAPPER SUPERVISOR LIBDIR CC_FOR ARCHIVE
NOGO= # the archs without a Go VMM (build_go_vmm)
CC_FOR[arm64]=aarch64-linux-gnu-gcc
CC_FOR[x86_64]=gcc
LIBDIR[arm64]="/usr/aarch64-linux-gnu/lib /usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu"  # the last two: libseccomp:arm64
LIBDIR[x86_64]="/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu"

# find_shim, build_shim, copy_needed, build_api_vmm, build_go_vmm, build_bench, build_initramfs
. "$here/build.sh"

for a in $archs; do
	mkdir -p "$work/$a"
	${CC_FOR[$a]} -static $CFLAGS_T -o "$work/$a/init" "$here/init.c" "$here/init-bench.c" || die "cannot build $a init"
	${CC_FOR[$a]} $CFLAGS_T -o "$work/$a/vmm" "$here/vmm.c" "$here/vmm-common.c" "$here/vmm-arm64.c" "$here/vmm-x86.c" \
		"$here/vmm-run.c" "$here/vmm-filter.c" -ldl || die "cannot build $a vmm"
	# the same VMM linked statically: LD_PRELOAD cannot reach it, the wrapper supervises it
	${CC_FOR[$a]} -static $CFLAGS_T -o "$work/$a/vmm-static" "$here/vmm.c" "$here/vmm-common.c" "$here/vmm-arm64.c" \
		"$here/vmm-x86.c" "$here/vmm-run.c" "$here/vmm-filter.c" -ldl 2>>"$work/vmm-static-$a.log" ||
		{ log "$a: cannot build a static VMM (log: $work/vmm-static-$a.log)"; rm -f "$work/$a/vmm-static"; }
	build_shim "$a"
	build_api_vmm "$a"
	build_go_vmm "$a"
	build_bench "$a"
	for pkg in ${KPKGS[$a]}; do build_initramfs "$a" "$pkg" || die "initramfs for $pkg"; done
done
# the host program that replays the scenarios on the emulator (compare.sh)
emu_compare=
if [ "${KVMRC_REALKVM_EMU_COMPARE:-on}" != off ]; then
	if ${CC:-cc} $CFLAGS_T -I"$top_srcdir/include" -o "$work/emu-compare" \
		"$here/emu-compare.c" "$here/vmm-common.c" "$here/vmm-arm64.c" "$here/vmm-x86.c" \
		>"$work/emu-compare-build.log" 2>&1; then
		emu_compare=$work/emu-compare
	else
		log "cannot build emu-compare (log: $work/emu-compare-build.log)"
	fi
fi
log "VMMs and initramfs built ($(elapsed))"

# ------------------------------------------------------------------ 4. boot
# one boot = one kernel x one CPU model; CPU models:
#   arm64:  max (KVM in VHE mode), cortex-a57 (nVHE)
#   x86_64: max (AMD SVM+NPT under TCG), EPYC (the SVM model QEMU names)
boots=()
for a in $archs; do
	for pkg in ${KPKGS[$a]}; do
		case $a in
		arm64) boots+=("$a $pkg max" "$a $pkg cortex-a57") ;;
		x86_64) boots+=("$a $pkg max" "$a $pkg EPYC") ;;
		esac
	done
done

boot_one() { # arch pkg cpu
	local a=$1 pkg=$2 cpu=$3 logf=$work/logs/$1-$2-$3.log t0 rc
	local k=$cache/kernels/$pkg/vmlinuz initrd=$work/$a/$pkg.cpio.gz
	t0=$(date +%s)
	case $a in
	arm64)
		local qcpu=$cpu
		[ "$cpu" = max ] && qcpu=max,pauth-impdef=on
		timeout -k 5 "$boot_timeout" qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 \
			-cpu "$qcpu" -smp 1 -m 1024 -nographic -no-reboot -nic none -monitor none \
			-kernel "$k" -initrd "$initrd" \
			-append "console=ttyAMA0 panic=-1 quiet realkvm.cpu=$cpu" </dev/null >"$logf" 2>&1 ;;
	x86_64)
		local qcpu=$cpu
		[ "$cpu" = EPYC ] && qcpu=EPYC,+svm,+npt
		timeout -k 5 "$boot_timeout" qemu-system-x86_64 -M pc -cpu "$qcpu" -smp 1 -m 1024 \
			-nographic -no-reboot -nic none -monitor none \
			-kernel "$k" -initrd "$initrd" \
			-append "console=ttyS0 panic=-1 quiet realkvm.cpu=$cpu" </dev/null >"$logf" 2>&1 ;;
	esac
	rc=$?
	echo "BOOT arch=$a pkg=$pkg cpu=$cpu rc=$rc seconds=$(( $(date +%s) - t0 ))" >>"$logf"
	echo "BOOT arch=$a pkg=$pkg cpu=$cpu rc=$rc seconds=$(( $(date +%s) - t0 ))"
}

rm -rf "$work/logs" && mkdir -p "$work/logs"
running=0
for b in "${boots[@]}"; do
	boot_one $b &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
log "all boots done ($(elapsed))"

# ------------------------------------------------------------- 5. compare
cat "$work"/logs/*.log | tr -d '\r' >"$work/console.txt"
awk -v expected="$here/expected.txt" -f "$here/common.awk" -f "$here/report.awk" "$work/console.txt" >"$work/report.txt"
rc=$?
# report.awk ends with "N passed, M failed": keep the counts for the total
passed=0 failed=0
last=$(tail -n 1 "$work/report.txt")
if echo "$last" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$'; then
	passed=${last%% *}
	failed=${last#*, }; failed=${failed%% *}
	sed '$d' "$work/report.txt" >"$work/results.txt"
else
	cp "$work/report.txt" "$work/results.txt"
	[ "$rc" -ne 0 ] && failed=1
fi
cat "$work/results.txt"

# ------------------------------------------- 5b. differential proof (diff.awk)
echo
awk -v exceptions="$here/diff-exceptions.txt" -v flip="${KVMRC_REALKVM_DIFF_FLIP:-}" \
	-f "$here/common.awk" -f "$here/diff.awk" "$work/console.txt" >"$work/diff.txt"
drc=$?
last=$(tail -n 1 "$work/diff.txt")
if echo "$last" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$'; then
	passed=$((passed + ${last%% *}))
	f=${last#*, }; failed=$((failed + ${f%% *}))
	sed '$d' "$work/diff.txt"
	sed '$d' "$work/diff.txt" >>"$work/results.txt"
else
	cat "$work/diff.txt"
	[ "$drc" -ne 0 ] && failed=$((failed + 1))
fi

# ------------------------------------- 5c. the exit ABI of 5.10 (abi-ci.awk)
echo
awk -f "$here/abi-ci.awk" "$work/console.txt" >"$work/abi-ci.txt"
arc=$?
last=$(tail -n 1 "$work/abi-ci.txt")
if echo "$last" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$'; then
	passed=$((passed + ${last%% *}))
	f=${last#*, }; failed=$((failed + ${f%% *}))
	sed '$d' "$work/abi-ci.txt"
	sed '$d' "$work/abi-ci.txt" >>"$work/results.txt"
else
	cat "$work/abi-ci.txt"
	[ "$arc" -ne 0 ] && failed=$((failed + 1))
fi

# ---------------- 5d. VMMs the ioctl wrapper does not see (REALKVM-MODE lines)
# syscall(SYS_ioctl), inline KVM_RUN under --raw-syscalls and the static API
# VMM, each against the preloaded plain VMM on the same boot (init.c); on
# 5.10 the control: the inline VMM without --raw-syscalls is the shim-off one.
echo
awk '
/^REALKVM-MODE / {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	ok = (f["expect"] == "identical") ? f["got"] == "identical" : f["got"] ~ /^differs/
	printf "mode: %s %s %s vs %s: %s (expected %s)%s\n", f["kernel"], f["cpu"], f["mode"], f["against"],
		f["got"], f["expect"], ok ? "" : "  MODE-FAIL"
	if (ok) pass++; else fail++
	seen[f["kernel"]] = 1
}
/^VMMDONE .* cpu=max shim=on/ { for (i = 2; i <= NF; i++) if ($i ~ /^kernel=/) booted[substr($i, 8)] = 1 }
END {
	for (k in booted) if (!(k in seen)) { printf "mode: %s: no run=MODE line  MODE-FAIL\n", k; fail++ }
	printf "%d passed, %d failed\n", pass, fail
}' "$work/console.txt" >"$work/modes.txt"
last=$(tail -n 1 "$work/modes.txt")
passed=$((passed + ${last%% *}))
f=${last#*, }; mfail=${f%% *}; failed=$((failed + mfail))
sed '$d' "$work/modes.txt" | tee -a "$work/results.txt"

# ------------------------ 5e. supervisor mode: static VMM (supervised.awk)
echo
awk -f "$here/common.awk" -f "$here/supervised.awk" "$work/console.txt" >"$work/supervised.txt"
svrc=$?
last=$(tail -n 1 "$work/supervised.txt")
if echo "$last" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$'; then
	passed=$((passed + ${last%% *}))
	f=${last#*, }; failed=$((failed + ${f%% *}))
	[ "${f%% *}" -eq 0 ] || svrc=1
	sed '$d' "$work/supervised.txt"
	sed '$d' "$work/supervised.txt" >>"$work/results.txt"
else
	cat "$work/supervised.txt"
	[ "$svrc" -ne 0 ] && failed=$((failed + 1))
fi

# --------------------- 5f. supervisor mode: the Go VMM (govmm.awk)
echo
awk -v nogo="$NOGO" -f "$here/common.awk" -f "$here/govmm.awk" "$work/console.txt" >"$work/govmm.txt"
gvrc=$?
last=$(tail -n 1 "$work/govmm.txt")
if echo "$last" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$'; then
	passed=$((passed + ${last%% *}))
	f=${last#*, }; failed=$((failed + ${f%% *}))
	[ "${f%% *}" -eq 0 ] || gvrc=1
	sed '$d' "$work/govmm.txt"
	sed '$d' "$work/govmm.txt" >>"$work/results.txt"
else
	cat "$work/govmm.txt"
	[ "$gvrc" -ne 0 ] && failed=$((failed + 1))
fi

# ------------- 5g. supervisor mode's cost per KVM_RUN, a report (bench.awk)
# the max boot of each kernel ran tools/bench-supervise (init.c run_bench):
# us per KVM_RUN plain, preloaded and supervised, and the boot's pipe round
# trip; fails only when a line is missing or malformed, never on a figure
echo
awk -f "$here/common.awk" -f "$here/bench.awk" "$work/console.txt" >"$work/bench.txt"
brc=$?
last=$(tail -n 1 "$work/bench.txt")
if echo "$last" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$'; then
	passed=$((passed + ${last%% *}))
	f=${last#*, }; failed=$((failed + ${f%% *}))
	[ "${f%% *}" -eq 0 ] || brc=1
	sed '$d' "$work/bench.txt"
	sed '$d' "$work/bench.txt" >>"$work/results.txt"
else
	cat "$work/bench.txt"
	[ "$brc" -ne 0 ] || brc=1
	failed=$((failed + 1))
fi

# ------------------------------------------------ 6. emulator vs real kernels
crc=0
if [ "${KVMRC_REALKVM_EMU_COMPARE:-on}" = off ]; then
	log "emulator comparison off (KVMRC_REALKVM_EMU_COMPARE=off)"
elif ! grep -q '^VMMDONE .* shim=off' "$work/console.txt"; then
	log "emulator comparison skipped: no kernel booted"
else
	echo
	bash "$here/compare.sh" --console "$work/console.txt" --work "$work" \
		--top-srcdir "$top_srcdir" --top-builddir "$top_builddir" \
		${emu_compare:+--emu-compare "$emu_compare"} \
		${SHIM_LIB[x86_64]:+--shim "${SHIM_LIB[x86_64]}"} >"$work/compare.txt" 2>&1
	crc=$?
	last=$(tail -n 1 "$work/compare.txt")
	if echo "$last" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$'; then
		passed=$((passed + ${last%% *}))
		f=${last#*, }; failed=$((failed + ${f%% *}))
		sed '$d' "$work/compare.txt"
		sed '$d' "$work/compare.txt" >>"$work/results.txt"
	else
		cat "$work/compare.txt"
		cat "$work/compare.txt" >>"$work/results.txt"
		[ "$crc" -ne 0 ] && failed=$((failed + 1))
	fi
fi
# ------------------------- 7. a 5.10 recording replayed on the emulator
rrc=0
host_shim=$top_builddir/.libs/libkvmrun-compat-preload.so
host_emu=$top_builddir/tools/emu/.libs/libkvmrun-emu.so
if ! grep -q '^REALKVM-REC-END ' "$work/console.txt"; then
	log "replay: no recording in the consoles (5.10 booted with the shim records one)"
elif [ -z "$emu_compare" ] || [ ! -e "$host_shim" ] || [ ! -e "$host_emu" ] || [ ! -x "$top_builddir/tools/kvmrun-compat" ]; then
	log "replay: emu-compare, the host shim, the emulator or kvmrun-compat not built: skipped"
else
	echo
	bash "$here/replay.sh" --console "$work/console.txt" --work "$work" --top-builddir "$top_builddir" \
		--emu-compare "$emu_compare" --emu "$host_emu" --shim "$host_shim" \
		--kvmrun-compat "$top_builddir/tools/kvmrun-compat" >"$work/replay.txt" 2>&1
	rrc=$?
	last=$(tail -n 1 "$work/replay.txt")
	if echo "$last" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$'; then
		passed=$((passed + ${last%% *}))
		f=${last#*, }; failed=$((failed + ${f%% *}))
	else
		[ "$rrc" -ne 0 ] && failed=$((failed + 1))
	fi
	sed '$d' "$work/replay.txt"
	sed '$d' "$work/replay.txt" >>"$work/results.txt"
fi
log "total $(elapsed); console logs in $work/logs; table in $work/results.txt"
echo "$passed passed, $failed failed" | tee -a "$work/results.txt"
[ "$rc" -ne 0 ] || [ "$drc" -ne 0 ] || [ "$arc" -ne 0 ] || [ "$svrc" -ne 0 ] || [ "$gvrc" -ne 0 ] || [ "$brc" -ne 0 ] || [ "$crc" -ne 0 ] || [ "$rrc" -ne 0 ] || [ "$mfail" -ne 0 ] && exit 1
exit 0

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/realkvm/compare.sh - the user-space KVM emulator (tools/emu) against
# the real kernels booted by run.sh: for every kernel that booted, replay the
# same scenarios on the emulator profile of that kernel (5.10.x <-> <arch>-5.10,
# 6.1.x <-> <arch>-6.1, 6.12.x <-> <arch>-6.12), without and with the shim,
# and compare the emulator's kvm_run bytes with the real ones (compare.awk).
#
#   compare.sh --console FILE [--top-srcdir DIR] [--top-builddir DIR]
#              [--work DIR] [--emu-compare BIN] [--emu LIB] [--shim LIB]
#
# --console is the concatenated serial output of the boots (run.sh writes
# work/console.txt).  The last line is "N passed, M failed"; exit 0 when no
# drift, 1 otherwise.  KVMRC_REALKVM_STRICT=1 turns known drifts into failures.
set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/../.." && pwd)
top_builddir=
console= work= ec= emu= shim=
while [ $# -gt 0 ]; do
	case $1 in
	--console) console=$2; shift 2 ;;
	--top-srcdir) top_srcdir=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	--top-builddir) top_builddir=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--emu-compare) ec=$2; shift 2 ;;
	--emu) emu=$2; shift 2 ;;
	--shim) shim=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;/^set -u/d'; exit 0 ;;
	*) echo "compare: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$top_builddir" ] || top_builddir=$top_srcdir
[ -n "$work" ] || work=${KVMRC_REALKVM_WORK:-$top_builddir/tests/realkvm/work}
[ -n "$console" ] || console=$work/console.txt
mkdir -p "$work/emu" || exit 2
fatal() { echo "compare: $*"; echo "0 passed, 1 failed"; exit 1; }
[ -r "$console" ] || fatal "no console file $console"

# ------------------------------------------------------------------------
# THE TABLE: every exception to "equal, byte for byte".  One line each:
#   kind  arch  kernels  scenario  item  reason
# kind   class: compare the item by class (stale/set/zero), not by value,
#               because the value is a property of the guest or the CPU,
#               which the emulator is told by the scenario, not of the
#               kernel's kvm_run writer;
#        known: a drift of the emulator, reported as KNOWN-DRIFT and not
#               failed (KVMRC_REALKVM_STRICT=1 fails it).  Each names the
#               emulator code at fault.  An entry that stops matching
#               fails the run: remove it when the emulator is fixed.
# kernels: * | <X | >=X | =X (major.minor), as in expected.txt.
# item:  a RESULT field, raw:A[-B] (bytes of the RAW dumps not covered by a
#        field), ioctl:NAME, cap:NAME, info, skip.
# ------------------------------------------------------------------------
table=$work/emu/table.txt
cat >"$table" <<'EOF'
class x86_64 * * pc  guest rip of the step (cs.base+rip): given to the emulator by the scenario (debug_db pc=), a property of the guest code and of QEMU's SVM, not of the kvm_run writer
class arm64 * step-after-mmio/fill raw:32-35  the same ESR (hsr) in the fill pass's dump
class arm64 * step-after-mmio hsr  ESR_EL2 of the software step is guest/CPU state that the scenario supplies (iss=0x22): ISS bit 24 (ISV) is 1 on 5.10 (0xcb000022: the nop after the emulated ldr was stepped) and 0 on 6.1/6.12 (0xca000022: step exception taken active-pending, before the nop), same QEMU; likely the 6.0 PSTATE.SS handling change. Compared by class: hsr is written
EOF
if [ "${KVMRC_REALKVM_STRICT:-0}" = 1 ]; then
	sed -i '/^known /d' "$table"
fi

# ------------------------------------------------------------------ inputs
if [ -z "$ec" ]; then
	ec=$work/emu/emu-compare
	${CC:-cc} -O2 -g0 -Wall -Wextra -I"$top_srcdir/include" -I"$top_builddir/include" \
		-o "$ec" "$here/emu-compare.c" "$here/vmm-common.c" "$here/vmm-arm64.c" "$here/vmm-x86.c" || fatal "cannot build emu-compare"
fi
[ -n "$emu" ] || emu=$top_builddir/tools/emu/.libs/libkvmrun-emu.so
if [ ! -e "$emu" ] && [ -f "$top_builddir/Makefile" ]; then
	make -C "$top_builddir" tools/emu/libkvmrun-emu.la >"$work/emu/make-emu.log" 2>&1
fi
[ -e "$emu" ] || fatal "no emulator library $emu (build it: make tools/emu/libkvmrun-emu.la)"
emu=$(readlink -f "$emu")
if [ -z "$shim" ]; then
	shim=$(find "$top_builddir" -maxdepth 3 \( -path '*/.libs/libkvmrun-compat-preload.so' -o \
		-path '*/.libs/libkvmrun-compat.so.0' \) \( -type f -o -type l \) 2>/dev/null |
		grep -v "^$top_builddir/_build" | grep -v /tests/realkvm/work/ | sort | head -1)
fi
if [ -z "$shim" ] && [ -f "$top_builddir/Makefile" ]; then
	make -C "$top_builddir" libkvmrun-compat-preload.la >"$work/emu/make-shim.log" 2>&1
	shim=$(find "$top_builddir/.libs" -maxdepth 1 -name 'libkvmrun-compat-preload.so' 2>/dev/null | sort | head -1)
fi
[ -n "$shim" ] && shim=$(readlink -f "$shim")

# booted kernels: a VMMDONE line without the shim
pairs=$(sed -n 's/.*VMMDONE kernel=\([^ ]*\) arch=\([^ ]*\) .* shim=off.*/\2:\1/p' "$console" | sort -u)
[ -n "$pairs" ] || fatal "no kernel booted as far as $console tells: nothing to compare"

out=$work/emu/emu-console.txt
: >"$work/emu/known-drifts.txt"
: >"$out"
errlog=$work/emu/emu-stderr.log
: >"$errlog"
compared=
for pk in $pairs; do
	arch=${pk%%:*} k=${pk#*:}
	mm=$(echo "$k" | sed -n 's/^\([0-9]*\)\.\([0-9]*\).*/\1.\2/p')
	prof=$arch-$mm
	if ! LD_PRELOAD=$emu KVMEMU_PROFILE=$prof "$ec" --arch "$arch" --probe 2>>"$errlog"; then
		echo "NOPROFILE kernel=$k arch=$arch profile=$prof" >>"$out"
		continue
	fi
	compared="$compared $pk"
	# the real kernel's x.y.z (with Debian's patch level): the shim's fixed
	# facts (kver.c) follow it, on the emulator too
	kver=$(sed -n "s/.*UNAME kernel=$k arch=$arch .* kver=\([0-9.]*\).*/\1/p" "$console" | head -1)
	# scenarios the real kernel ran (without the shim): followed when the
	# emulator's capability answer disagrees (reported as CAP drift)
	ran=$(grep -e "RESULT kernel=$k arch=$arch .* shim=off " -e "RAW kernel=$k arch=$arch .* shim=off " "$console" |
		sed -n 's/.* scenario=\([^ ]*\) .*/\1/p' | sort -u | paste -sd, -)
	for mode in off on; do
		if [ $mode = on ] && ! grep -q "VMMDONE kernel=$k arch=$arch .* shim=on" "$console"; then
			continue
		fi
		pre=$emu
		if [ $mode = on ]; then
			if [ -z "$shim" ]; then
				echo "ERROR kernel=$k arch=$arch cpu=emu shim=on what=no-native-shim-library-to-compare-shim=on" >>"$out"
				continue
			fi
			pre=$shim:$emu
		fi
		echo "== $prof shim=$mode" >>"$errlog"
		LD_PRELOAD=$pre KVMEMU_PROFILE=$prof KVMRUN_COMPAT_ARCH=$arch KVMRUN_COMPAT_KERNEL=${kver:-$k} \
			timeout 60 "$ec" --arch "$arch" --kernel "$k" --real-ran "$ran" \
			--log "$work/emu/kvmemu-$prof-$mode.log" >>"$out" 2>>"$errlog"
		rc=$?
		if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
			echo "ERROR kernel=$k arch=$arch cpu=emu shim=$mode what=emu-compare-exit-$rc-profile-$prof($(grep -m1 kvmemu "$errlog" | tr ' ' '_'))" >>"$out"
		fi
	done
done

echo "compare: emulator vs real kernels ($(echo $pairs | wc -w) booted): emulator $emu, shim ${shim:-none}"
awk -v table="$table" -v detail="$work/emu/known-drifts.txt" -v realf="$console" -v pairs="$(echo $compared)" \
	-f "$here/common.awk" -f "$here/compare.awk" "$console" "$out"

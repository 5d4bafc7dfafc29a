#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The preloaded KVM_RUN paths (straight, kept-word, rules-only, full)
# against the link library's full steps, byte for byte (tests/diff-paths.c),
# over random exits of a kernel below the shim (tests/fake-kvmrun.c), per
# architecture and kernel.  Control: with --poison the preload fills with
# 0xa5 and the link library with 0, so a difference must be reported.
set -eu
. "$top_srcdir/tests/lib.sh"
fake=$top_builddir/tests/.libs/libfake-kvmrun.so
prog=$top_builddir/tests/diff-paths
steps=${DIFF_STEPS:-20000}
run() { # profile arch seed [env...]
	p=$1 a=$2 s=$3; shift 3
	env LD_PRELOAD="$KVMRC_SHIM:$fake:$KVMRC_EMU" KVMEMU_PROFILE=$p KVMRUN_COMPAT_ARCH=$a "$@" "$prog" "$s" "$steps"
}
for c in x86_64-6.1:x86_64 x86_64-5.4:x86_64 x86_64-6.12:x86_64 arm64-6.1:arm64 arm64-5.10:arm64 \
	arm64-6.19:arm64 riscv64-6.1:riscv64; do
	for s in 1 2 3; do
		st=0; out=$(run "${c%%:*}" "${c#*:}" "$s") || st=$?
		[ $st = 0 ] && ok "${c%%:*}: $out" || no "${c%%:*} seed $s (exit $st)" "$out"
	done
done
# arm64 before 5.6 reads mmio.len and is_write back too (IN_MMIO_ALL)
for s in 1 2 3; do
	st=0; out=$(run arm64-5.10 arm64 "$s" KVMRUN_COMPAT_KERNEL=5.4.0) || st=$?
	[ $st = 0 ] && ok "arm64 as 5.4: $out" || no "arm64 as 5.4 seed $s (exit $st)" "$out"
done
st=0; out=$(run arm64-6.1 arm64 1 KVMRUN_COMPAT_POISON=1) || st=$?
[ $st = 1 ] && ok "control, --poison against the zero fill: $out" || no "control (exit $st)" "$out"
finish

#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# govmm.awk (check-real, the Go VMM under the supervisor) on made-up
# consoles, without QEMU: a boot whose supervised Go VMM printed the
# preloaded C VMM's lines of its scenarios, and whose run with the work off
# printed the unshimmed ones, passes both checks; a changed byte, a missing
# line, a scenario the C VMM never ran, a failed Go run, the control equal
# to the preloaded run, a kernel without a control run and a boot without a
# Go run each fail; without a Go
# toolchain for the arch that boot is skipped.
set -eu
. "$top_srcdir/tests/lib.sh"
awkp="awk -f $top_srcdir/tests/realkvm/common.awk -f $top_srcdir/tests/realkvm/govmm.awk"
K='kernel=5.10.0-32-arm64 arch=arm64 cpu=max'
console() { # supervised-pad off-pad scenarios go-status
	cat <<EOT
REALKVM-BOOT kernel=5.10.0-32-arm64
UNAME $K shim=off kver=5.10.237
RESULT $K shim=off scenario=brk-poisoned field=pad value=0xa5 before=0xa5
RESULT $K shim=off scenario=mmio-w1 field=pad value=0xa5 before=0xa5
FILL $K shim=off scenario=mmio-w1/fill lo=32 hi=167 inputs=40-47
VMMDONE $K shim=off failures=0
REALKVM-VMM-EXIT shim=off status=0
UNAME $K shim=on kver=5.10.237
RESULT $K shim=on scenario=brk-poisoned field=pad value=0x00 before=0xa5
RESULT $K shim=on scenario=mmio-w1 field=pad value=0x00 before=0xa5
FILL $K shim=on scenario=mmio-w1/fill lo=32 hi=167 inputs=40-47
VMMDONE $K shim=on failures=0
REALKVM-VMM-EXIT shim=on status=0
SUPVMM-EXIT status=0
GOVMM SCENARIOS_$K scenarios=$3
GOVMM UNAME_$K shim=off kver=5.10.237
GOVMM RESULT_$K shim=off scenario=mmio-w1 field=pad value=$1 before=0xa5
GOVMM FILL_$K shim=off scenario=mmio-w1/fill lo=32 hi=167 inputs=40-47
GOVMM VMMDONE_$K shim=off failures=0
GOVMM-EXIT status=$4
GOVMM-OFF SCENARIOS_$K scenarios=$3
GOVMM-OFF UNAME_$K shim=off kver=5.10.237
GOVMM-OFF RESULT_$K shim=off scenario=mmio-w1 field=pad value=$2 before=0xa5
GOVMM-OFF FILL_$K shim=off scenario=mmio-w1/fill lo=32 hi=167 inputs=40-47
GOVMM-OFF VMMDONE_$K shim=off failures=0
GOVMM-OFF-EXIT status=0
REALKVM-END kernel=5.10.0-32-arm64
EOT
}
expect() { # description want-tail console-args...
	d=$1 want=$2
	shift 2
	out=$(console "$@" | $awkp) || true
	case $out in *"$want") ok "$d" ;; *) no "$d" "$out" ;; esac
}
expect "identical runs pass both checks" "2 passed, 0 failed" 0x00 0xa5 mmio-w1 0
expect "a changed byte fails" "1 passed, 1 failed" 0x01 0xa5 mmio-w1 0
out=$(console 0x00 0xa5 mmio-w1 0 | sed '/^GOVMM FILL_/d' | $awkp) || true
case $out in *"1 passed, 1 failed") ok "a missing line fails" ;; *) no "a missing line" "$out" ;; esac
expect "a scenario the C VMM did not run fails" "1 failed" 0x00 0xa5 mmio-w1,no-such 0
expect "a failed Go run fails" "1 passed, 1 failed" 0x00 0xa5 mmio-w1 1
expect "the control equal to the preloaded run fails" "1 passed, 1 failed" 0x00 0x00 mmio-w1 0
expect "unshimmed bytes in the supervised run fail" "1 passed, 1 failed" 0xa5 0xa5 mmio-w1 0
out=$(console 0x00 0xa5 mmio-w1 0 | grep -v '^GOVMM-OFF' | $awkp) || true
case $out in *"1 passed, 1 failed") ok "a kernel without a control run fails" ;; *) no "no control" "$out" ;; esac
out=$( (console 0x00 0xa5 mmio-w1 0; console 0x00 0xa5 mmio-w1 0 | grep -v '^GOVMM-OFF') | $awkp) || true
case $out in *"3 passed, 0 failed") ok "one control run per kernel is enough" ;; *) no "one control" "$out" ;; esac
out=$(console 0x00 0xa5 mmio-w1 0 | grep -v '^GOVMM' | $awkp) || true
case $out in *"0 passed, 1 failed") ok "a boot without a Go run fails" ;; *) no "no Go run" "$out" ;; esac
out=$(console 0x00 0xa5 mmio-w1 0 | grep -v '^GOVMM' | $awkp -v nogo="x86_64 arm64") || true
case $out in *"skipped"*"0 passed, 0 failed") ok "without a Go toolchain the boot is skipped" ;; *) no "skip" "$out" ;; esac
finish

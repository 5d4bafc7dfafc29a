#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# supervised.awk (check-real, supervisor mode) on made-up consoles, without
# QEMU: a boot whose supervised static VMM printed the preloaded lines
# passes; a changed byte, a missing line, the run without the shim repeated
# and a missing switch line each fail it; a boot without a supervised run is
# skipped.  On the max CPU model the run under the VMM's own
# Firecracker-style filter (SUPFC) is compared the same way, and its control
# (SUPFCX: a forbidden call must trap, status 148) fails when the call got
# through, when the VMM ended otherwise, or when the run is missing.
set -eu
. "$top_srcdir/tests/lib.sh"
awkp="awk -f $top_srcdir/tests/realkvm/common.awk -f $top_srcdir/tests/realkvm/supervised.awk"
console() { # value-seen-supervised cpu switch-line [fc-value [fcx-line [fcx-status]]]
	K="kernel=5.10.0-32-amd64 arch=x86_64 cpu=$2"
	cat <<EOT
REALKVM-BOOT kernel=5.10.0-32-amd64
UNAME $K shim=off kver=5.10.237
RESULT $K shim=off scenario=mmio-w1 field=pad value=0xa5 before=0xa5
VMMDONE $K shim=off failures=0
REALKVM-VMM-EXIT shim=off status=0
UNAME $K shim=on kver=5.10.237
RESULT $K shim=on scenario=mmio-w1 field=pad value=0x00 before=0xa5
VMMDONE $K shim=on failures=0
REALKVM-VMM-EXIT shim=on status=0
SUPVMM $3
SUPVMM UNAME_$K shim=off kver=5.10.237
SUPVMM RESULT_$K shim=off scenario=mmio-w1 field=pad value=$1 before=0xa5
SUPVMM VMMDONE_$K shim=off failures=0
SUPVMM-EXIT status=0
EOT
	if [ "$2" = max ]; then
		fcv=${4:-$1} fcx=${5:-FILTER-SIGSYS_nr=110:_the_filter_forbids_it} fcs=${6:-148}
		cat <<EOT
SUPFC $3
SUPFC UNAME_$K shim=off kver=5.10.237
SUPFC RESULT_$K shim=off scenario=mmio-w1 field=pad value=$fcv before=0xa5
SUPFC VMMDONE_$K shim=off failures=0
SUPFC-EXIT status=0
SUPFCX $3
SUPFCX UNAME_$K shim=off kver=5.10.237
SUPFCX $fcx
SUPFCX-EXIT status=$fcs
EOT
	fi
	cat <<EOT
ABICI $K shim=on mode=careless
REALKVM-END kernel=5.10.0-32-amd64
EOT
}
sw='kvmrun-compat:_/vmm-static is statically linked: LD_PRELOAD cannot reach it; running it under the supervisor (...)'
expect() { # description want-tail console-output
	case $3 in *"$2") ok "$1" ;; *) no "$1" "$3" ;; esac
}
out=$(console 0x00 EPYC "$sw" | $awkp)
expect "identical supervised run passes (no filter run on EPYC)" "2 passed, 0 failed" "$out"
out=$(console 0x00 max "$sw" | $awkp)
expect "identical supervised runs pass, the filtered one too, its control holds" "5 passed, 0 failed" "$out"
out=$(console 0x01 EPYC "$sw" | $awkp) || true
expect "a changed byte fails" "1 passed, 1 failed" "$out"
out=$(console 0x00 EPYC "$sw" | sed '/^SUPVMM VMMDONE_/d' | $awkp) || true
case $out in *"0 failed") no "a missing line fails" "$out" ;; *) ok "a missing line fails" ;; esac
out=$(console 0xa5 EPYC "$sw" | $awkp) || true
expect "the unshimmed bytes fail both checks" "0 passed, 2 failed" "$out"
out=$(console 0x00 EPYC "something else" | $awkp) || true
expect "no switch line fails the control" "1 passed, 1 failed" "$out"
out=$(console 0x00 EPYC "$sw" | grep -v '^SUPVMM' | $awkp)
case $out in *"skipped"*"0 passed, 0 failed") ok "a boot without a supervised run is skipped" ;; *) no "skip" "$out" ;; esac
out=$(console 0x00 max "$sw" 0x01 | $awkp) || true
expect "filtered run: a changed byte fails" "4 passed, 1 failed" "$out"
out=$(console 0x00 max "$sw" 0xa5 | $awkp) || true
expect "filtered run: the unshimmed bytes fail both checks" "3 passed, 2 failed" "$out"
out=$(console 0x00 max "$sw" '' FILTER-ESCAPED_getppid 2 | $awkp) || true
expect "filter control: a forbidden call that got through fails" "4 passed, 1 failed" "$out"
out=$(console 0x00 max "$sw" '' '' 0 | $awkp) || true
expect "filter control: another exit status fails" "4 passed, 1 failed" "$out"
out=$(console 0x00 max "$sw" | grep -v '^SUPFC' | $awkp) || true
expect "max boot without the filtered runs fails" "2 passed, 3 failed" "$out"
finish

#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# supervised.awk (check-real, supervisor mode) on made-up consoles, without
# QEMU: a boot whose supervised static VMM printed the preloaded lines
# passes; a changed byte, a missing line, the run without the shim repeated
# and a missing switch line each fail it; a boot without a supervised run is
# skipped.
set -eu
. "$top_srcdir/tests/lib.sh"
awkp="awk -f $top_srcdir/tests/realkvm/common.awk -f $top_srcdir/tests/realkvm/supervised.awk"
K='kernel=5.10.0-32-amd64 arch=x86_64 cpu=max'
console() { # value-seen-supervised unused switch-line
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
ABICI $K shim=on mode=careless
REALKVM-END kernel=5.10.0-32-amd64
EOT
}
sw='kvmrun-compat:_/vmm-static is statically linked: LD_PRELOAD cannot reach it; running it under the supervisor (...)'
out=$(console 0x00 '' "$sw" | $awkp)
case $out in *"2 passed, 0 failed") ok "identical supervised run passes" ;; *) no "identical run" "$out" ;; esac
out=$(console 0x01 '' "$sw" | $awkp) || true
case $out in *"1 passed, 1 failed") ok "a changed byte fails" ;; *) no "changed byte" "$out" ;; esac
out=$(console 0x00 '' "$sw" | sed '/^SUPVMM VMMDONE_/d' | $awkp) || true
case $out in *"0 failed") no "a missing line fails" "$out" ;; *) ok "a missing line fails" ;; esac
out=$(console 0xa5 '' "$sw" | $awkp) || true
case $out in *"0 passed, 2 failed") ok "the unshimmed bytes fail both checks" ;; *) no "unshimmed" "$out" ;; esac
out=$(console 0x00 '' "something else" | $awkp) || true
case $out in *"1 passed, 1 failed") ok "no switch line fails the control" ;; *) no "switch line" "$out" ;; esac
out=$(console 0x00 '' "$sw" | grep -v '^SUPVMM' | $awkp)
case $out in *"skipped"*"0 passed, 0 failed") ok "a boot without a supervised run is skipped" ;; *) no "skip" "$out" ;; esac
finish

#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench.awk (check-real, supervisor mode's cost per KVM_RUN) on made-up
# consoles, without QEMU: a max boot with all six REALKVM-BENCH lines passes
# and prints its rows (added us and the multiple of the pipe round trip); a
# missing line, a figure that is not a number, a failed run, a repeated line,
# a max boot with no line at all and a kernel booted only on another CPU
# model (its max boot failed) each fail it; REALKVM-BENCH-SKIP and the boot
# of another CPU model beside a max boot are not failed.
set -eu
. "$top_srcdir/tests/lib.sh"
awkp="awk -f $top_srcdir/tests/realkvm/common.awk -f $top_srcdir/tests/realkvm/bench.awk"
K=6.1.0-50-amd64
console() { # cpu
	cat <<EOT
REALKVM-BOOT kernel=$K
VMMDONE kernel=$K arch=x86_64 cpu=$1 shim=off failures=0
VMMDONE kernel=$K arch=x86_64 cpu=$1 shim=on failures=0
SUPVMM VMMDONE_kernel=$K arch=x86_64 cpu=$1 shim=off failures=0
EOT
	[ "$1" = max ] || { echo "REALKVM-END kernel=$K"; return 0; }
	cat <<EOT
REALKVM-BENCH kernel=$K arch=x86_64 mode=pipe threads=0 runs=400 rounds=3 us=20.00 status=0
REALKVM-BENCH kernel=$K arch=x86_64 mode=plain threads=1 runs=400 rounds=3 us=50.00 status=0
REALKVM-BENCH kernel=$K arch=x86_64 mode=preload threads=1 runs=400 rounds=3 us=51.00 status=0
REALKVM-BENCH kernel=$K arch=x86_64 mode=supervised threads=1 runs=400 rounds=3 us=130.00 status=0
REALKVM-BENCH kernel=$K arch=x86_64 mode=plain threads=2 runs=400 rounds=3 us=100.00 status=0
REALKVM-BENCH kernel=$K arch=x86_64 mode=supervised threads=2 runs=400 rounds=3 us=300.00 status=0
REALKVM-BENCH-END kernel=$K ms=2500
REALKVM-END kernel=$K
EOT
}
expect() { # description want-tail console-output
	case $3 in *"$2") ok "$1" ;; *) no "$1" "$3" ;; esac
}
out=$(console max | $awkp)
expect "a max boot with the six lines passes" "1 passed, 0 failed" "$out"
case $out in *" +80.0 "*" 4.0 "*) ok "1 thread: +80 us, 4.0 pipe round trips" ;; *) no "row 1" "$out" ;; esac
case $out in *" +200.0 "*" 10.0 "*) ok "2 threads: +200 us, 10.0 pipe round trips" ;; *) no "row 2" "$out" ;; esac
out=$(console max | grep -v 'mode=supervised threads=1' | $awkp) || true
expect "a missing line fails" "0 passed, 1 failed" "$out"
out=$(console max | grep -v 'mode=pipe' | $awkp) || true
expect "a missing pipe round trip fails" "0 passed, 1 failed" "$out"
out=$(console max | sed 's/mode=plain threads=2 runs=400 rounds=3 us=100.00/mode=plain threads=2 runs=400 rounds=3 us=missing/' | $awkp) || true
expect "a figure that is not a number fails" "0 passed, 1 failed" "$out"
out=$(console max | sed 's/us=130.00 status=0/us=130.00 status=1/' | $awkp) || true
expect "a failed run fails" "0 passed, 1 failed" "$out"
out=$(console max | sed 's/ us=130.00 / us=0 /' | $awkp) || true
expect "a zero figure fails" "0 passed, 1 failed" "$out"
out=$(console max | sed '/mode=pipe/p' | $awkp) || true
expect "a repeated line fails" "0 passed, 1 failed" "$out"
out=$(console max | grep -v '^REALKVM-BENCH' | $awkp) || true
expect "a max boot with the shim and no line fails" "0 passed, 1 failed" "$out"
out=$(console max | sed 's/^\(REALKVM-BENCH.*\)/\x1b[0m\1/' | $awkp)
expect "lines behind a console escape are read" "1 passed, 0 failed" "$out"
out=$(console max | grep -v '^REALKVM-BENCH' | sed "/^REALKVM-END/i REALKVM-BENCH-SKIP kernel=$K: no /bench-supervise" | $awkp)
case $out in *"skipped"*"0 passed, 0 failed") ok "REALKVM-BENCH-SKIP is skipped" ;; *) no "skip" "$out" ;; esac
out=$( (console max; console EPYC) | $awkp)
expect "a boot of another CPU model has no lines to check" "1 passed, 0 failed" "$out"
out=$(console EPYC | $awkp) || true
expect "a kernel whose max boot printed nothing (failed boot) fails" "0 passed, 1 failed" "$out"
finish

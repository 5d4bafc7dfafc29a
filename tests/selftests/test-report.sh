#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/selftests/test-report.sh - the judge of make check-selftests
# (report.awk) on made-up consoles, without QEMU, and the oops pattern of the
# L1 watchdog (tests/realkvm/l1boot.sh): same pairs pass, a pair that differs
# twice fails, one that differs once is flaky, a control that does not differ
# fails, a line from the shim or no KVM_RUN at all fails, and a test that
# takes the L1 kernel down twice is reported as such.
set -eu
. "$top_srcdir/tests/lib.sh"
here=$top_srcdir/tests/selftests

head_lines() { # the section header of one kernel and arch
	printf 'ST-LOG arch=x86_64 series=6.1 kernel=linux-image-6.1.0-50-amd64 source=6.1.176-1-x86_64\n'
	printf 'ST-L1-BEGIN kernel=6.1.0-50-amd64 machine=x86_64 from=0\n'
}
pair() { # index test kind try plain shim [runs]
	printf 'ST-TEST index=%s test=%s kind=%s\n' "$1" "$2" "$3"
	printf 'ST-BEGIN test=%s shim=off try=%s\nST-END test=%s shim=off try=%s status=%s timeout=0 seconds=0.1\n' "$2" "$4" "$2" "$4" "$5"
	printf 'ST-BEGIN test=%s shim=on try=%s\n' "$2" "$4"
	printf 'ST-STATS     {"id": 0, "runs": %s, "unscrubbed_runs": 0, "kept_bytes_cleared": 0, "fail_entry_reason": 0, "rules": {}}\n' "${7:-5}"
	printf 'ST-END test=%s shim=on try=%s status=%s timeout=0 seconds=0.1\n' "$2" "$4" "$6"
	v=same; [ "$5" = "$6" ] || v=different
	printf 'ST-PAIR index=%s test=%s kind=%s try=%s plain=%s shim=%s verdict=%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$v"
}
control() { pair 9 x86_64/userspace_io_test CONTROL 1 0 "${1:-254}"; }
tail_lines() { printf 'ST-L1-END kernel=6.1.0-50-amd64\nST-L1-EXIT arch=x86_64 series=6.1 rc=0 seconds=9\n'; }
judge() { awk -f "$here/report.awk" "$tmp/console" >"$tmp/out" 2>&1; }

{ head_lines; pair 0 a TEST 1 0 0; pair 1 b TEST 1 4 4 0; control; tail_lines; } >"$tmp/console"
if judge && grep -q '^selftests: linux-image-6.1.0-50-amd64 x86_64: 2 tests, 2 same, 0 different, 0 flaky$' "$tmp/out" &&
	grep -q 'b: skip' "$tmp/out"; then
	ok "same pairs and a differing control pass; a skip is an environment limit"
else
	no "same pairs pass" "$(cat "$tmp/out")"
fi

{ head_lines; pair 0 a TEST 1 0 254; pair 0 a TEST 2 0 254; control; tail_lines; } >"$tmp/console"
if ! judge && grep -q '^FAIL: .* a: without the shim exit 0, with the shim exit 254, on both tries' "$tmp/out" &&
	grep -q '1 tests, 0 same, 1 different, 0 flaky' "$tmp/out"; then
	ok "a pair that differs on both tries fails"
else
	no "a pair that differs on both tries fails" "$(cat "$tmp/out")"
fi

{ head_lines; pair 0 a TEST 1 0 263; pair 0 a TEST 2 0 0; control; tail_lines; } >"$tmp/console"
if judge && grep -q '1 tests, 0 same, 0 different, 1 flaky' "$tmp/out" && grep -q 'flaky (exit 0/signal 7 first)' "$tmp/out"; then
	ok "a pair that differs once is flaky, not failed"
else
	no "a pair that differs once is flaky" "$(cat "$tmp/out")"
fi

# xapic_ipi_test under nested TCG: a timing assert failed without the shim
# on the first try and with it on the rerun
{ head_lines; pair 0 a TEST 1 254 0; pair 0 a TEST 2 0 254; control; tail_lines; } >"$tmp/console"
if judge && grep -q '1 tests, 0 same, 0 different, 1 flaky' "$tmp/out" && grep -q 'differed both ways' "$tmp/out"; then
	ok "a pair whose failing side changes between tries is flaky, not failed"
else
	no "a pair that differs both ways is flaky" "$(cat "$tmp/out")"
fi

{ head_lines; pair 0 a TEST 1 0 0; control 0; tail_lines; } >"$tmp/console"
if ! judge && grep -q 'control x86_64/userspace_io_test: the preload that erases kernel-written exit data went unnoticed' "$tmp/out"; then
	ok "a control that does not differ fails"
else
	no "a control that does not differ fails" "$(cat "$tmp/out")"
fi

{ head_lines; pair 0 a TEST 1 0 0; tail_lines; } >"$tmp/console"
if ! judge && grep -q 'no control ran' "$tmp/out"; then
	ok "a run without a control fails"
else
	no "a run without a control fails" "$(cat "$tmp/out")"
fi

{ head_lines; pair 0 a TEST 1 0 0 0; control; tail_lines; } >"$tmp/console"
if ! judge && grep -q "the shim's stats show no KVM_RUN" "$tmp/out"; then
	ok "no KVM_RUN in the shim's stats fails (the shim did not load)"
else
	no "no KVM_RUN in the shim's stats fails" "$(cat "$tmp/out")"
fi

{ head_lines; pair 0 a TEST 1 0 0 | sed "s/^ST-END test=a shim=on/ST-SHIMLOG kvmrun-compat[7]: warning\n&/"; control; tail_lines; } \
	>"$tmp/console"
if ! judge && grep -q 'a: the shim logged: kvmrun-compat\[7\]: warning' "$tmp/out"; then
	ok "a line from the shim fails"
else
	no "a line from the shim fails" "$(cat "$tmp/out")"
fi

# b oopses the L1 kernel twice (not judged); c once, then its rerun is the same
{
	head_lines; pair 0 a TEST 1 0 0
	printf 'ST-TEST index=1 test=b kind=TEST\nST-BEGIN test=b shim=off try=1\nInternal error: Oops: 96000004 [#1] SMP\nST-L1-OOPS\n'
	printf 'ST-L1-RESTART attempt=2 from=1\nST-L1-BEGIN kernel=6.1.0-50-amd64 machine=x86_64 from=1\n'
	printf 'ST-TEST index=1 test=b kind=TEST\nST-BEGIN test=b shim=on try=1\nBUG: kernel NULL pointer dereference\nST-L1-OOPS\nST-GIVEUP index=1\n'
	printf 'ST-L1-RESTART attempt=3 from=2\nST-L1-BEGIN kernel=6.1.0-50-amd64 machine=x86_64 from=2\n'
	printf 'ST-TEST index=2 test=c kind=TEST\nST-L1-STALL silent=120s\nST-L1-RESTART attempt=4 from=2\n'
	pair 2 c TEST 1 0 0; control; tail_lines
} >"$tmp/console"
if judge && grep -q 'b: L1 kernel oops twice (Internal error: Oops: 96000004' "$tmp/out" &&
	grep -q '3 tests, 2 same, 0 different, 0 flaky (1 took the L1 kernel down, not judged)' "$tmp/out" &&
	grep -q 'c .*same (after an L1 hang, rerun)' "$tmp/out"; then
	ok "an oops twice is reported as such and not judged; a hang, then a same rerun, is same"
else
	no "oops and hang reporting" "$(cat "$tmp/out")"
fi

# the watchdog's pattern: oopses, BUGs, panics and warnings, not ordinary lines
. "$top_srcdir/tests/realkvm/l1boot.sh"
hits=0
for l in "Internal error: Oops: 96000004 [#1] SMP" "BUG: kernel NULL pointer dereference, address: 0" \
	"Kernel panic - not syncing: Fatal exception" "WARNING: CPU: 0 PID: 1 at arch/x86/kvm/x86.c:10 kvm_foo+0x1/0x2" \
	"general protection fault, probably for non-canonical address"; do
	printf '%s\n' "$l" | grep -q -E "$L1_OOPS_RE" && hits=$((hits + 1))
done
if [ $hits = 5 ] && ! printf 'ST-END test=bug shim=on try=1 status=0\nkvm: Nested Virtualization enabled\n' | grep -q -E "$L1_OOPS_RE"; then
	ok "the L1 watchdog's oops pattern matches oopses, BUGs, panics and warnings, not test lines"
else
	no "the L1 oops pattern" "$hits of 5 matched"
fi
finish

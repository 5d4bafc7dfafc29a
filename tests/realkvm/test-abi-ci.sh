#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# abi-ci.awk (check-real, issue 12) on made-up consoles, without QEMU: a
# consistent 6.12 and 6.1 boot passes; a careless VMM that passes under
# --abi=5.10 --poison, a careful one that fails, a missing run and a probe
# without capability 215 each fail it.
set -eu
. "$top_srcdir/tests/lib.sh"
awkf=$top_srcdir/tests/realkvm/abi-ci.awk
H='kernel=6.12.57+deb13-amd64 arch=x86_64 cpu=max shim=on'
console() { # careless-abi-status careful-abi-status probe-215-line
	cat <<EOT
REALKVM-BOOT kernel=6.12.57+deb13-amd64
ABICI $H mode=careless abi=none poison=off status=0 failures=0 msg=-
ABICI $H mode=careless abi=5.10 poison=on status=$1 failures=0 msg=range end index 2779096485 out of range
ABICI $H mode=careful abi=none poison=off status=0 failures=0 msg=-
ABICI $H mode=careful abi=5.10 poison=on status=$2 failures=0 msg=-
ABIPROBE $3
ABIPROBE x86_64.system_event.ndata          SYSTEM_EVENT bytes 36-39           from 5.18 (ledger V4)
ABIPROBE-EXIT status=0
REALKVM-END kernel=6.12.57+deb13-amd64
REALKVM-BOOT kernel=6.1.0-50-amd64
ABIPROBE $3
ABIPROBE x86_64.exit.HYPERCALL              HYPERCALL (3)                      from 5.14 (ledger V24)
ABIPROBE-EXIT status=0
REALKVM-END kernel=6.1.0-50-amd64
EOT
}
good='KVM_CAP_SYSTEM_EVENT_DATA           215  hidden   appeared in 5.18'
console 101 0 "$good" >"$tmp/c"
out=$(awk -f "$awkf" "$tmp/c") && st=0 || st=$?
[ "$st" = 0 ] && [ "$(printf '%s\n' "$out" | tail -n 1)" = "6 passed, 0 failed" ] &&
	ok "a consistent console: 6 passed" || no "consistent console" "exit $st" "$out"
for bad in "0 0 $good|the careless VMM passing under --abi=5.10" "101 101 $good|the careful VMM failing" \
	"101 0 KVM_CAP_EXIT_HYPERCALL  201  hidden|a probe without 215"; do
	args=${bad%%|*} what=${bad#*|}
	a1=${args%% *} rest=${args#* }; a2=${rest%% *} p=${rest#* }
	console "$a1" "$a2" "$p" >"$tmp/c"
	out=$(awk -f "$awkf" "$tmp/c") && st=0 || st=$?
	[ "$st" != 0 ] && printf '%s\n' "$out" | grep -q '^ABI-CI-FAIL' && ok "fails on $what" ||
		no "$what goes unseen" "$out"
done
console 101 0 "$good" | grep -v 'mode=careful abi=5.10' >"$tmp/c"
out=$(awk -f "$awkf" "$tmp/c") && st=0 || st=$?
[ "$st" != 0 ] && printf '%s\n' "$out" | grep -q 'careful 5.10 poison status missing' &&
	ok "fails on a missing run" || no "a missing run goes unseen" "$out"
finish

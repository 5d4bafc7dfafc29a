#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A vCPU fd closed while its KVM_RUN is in flight, its number taken by a new
# vCPU at once (tests/fake-kvmrun.c makes that happen inside the call): the
# closed vCPU's object outlives its call, so the new vCPU has its own and
# the stats count 1 run for id 0 and 3 for id 1.  Control: closed after the
# call, the object is free at once and the new vCPU takes it (one vCPU
# listed, one retired).
set -eu
. "$top_srcdir/tests/lib.sh"
fake=$top_builddir/tests/.libs/libfake-kvmrun.so
prog=$top_builddir/tests/race-close
sc='mmio addr=0x10000000 len=4 write=0; mmio addr=0x10000000 len=4 write=1 data=0x1; system_event type=shutdown'
run() { # stats-file [late]
	f=$1; shift
	LD_PRELOAD="$KVMRC_SHIM:$fake:$KVMRC_EMU" KVMEMU_PROFILE=arm64-6.1 KVMRUN_COMPAT_ARCH=arm64 \
		KVMEMU_SCENARIO="$sc" KVMRUN_COMPAT_STATS="$f" "$prog" "$@"
}
vcpus() { tr -d ' \n' <"$1" | grep -o '{"id":[0-9]*,"runs":[0-9]*' | sed 's/{"id":\([0-9]*\),"runs":\([0-9]*\)/\1:\2/' | sort | tr '\n' ' '; }
retired() { tr -d ' \n' <"$1" | sed -n 's/.*"retired_vcpus":\([0-9]*\).*/\1/p'; }

st=0; out=$(run "$tmp/in.json") || st=$?
[ $st = 0 ] && ok "closed inside the call: $out" || no "closed inside the call (exit $st)" "$out"
got=$(vcpus "$tmp/in.json")
[ "$got" = "0:1 1:3 " ] && ok "each vCPU counts its own runs: $got" || no "runs per vCPU" "$got; $(cat "$tmp/in.json")"

st=0; out=$(run "$tmp/late.json" late) || st=$?
[ $st = 0 ] && ok "control, closed after the call: $out" || no "control (exit $st)" "$out"
got=$(vcpus "$tmp/late.json"); ret=$(retired "$tmp/late.json")
[ "$got" = "1:3 " ] && [ "$ret" = 1 ] && ok "control: the closed vCPU is retired at once ($got, retired $ret)" ||
	no "control" "$got retired $ret; $(cat "$tmp/late.json")"
finish

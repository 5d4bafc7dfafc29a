#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# vCPU fds closed, replaced with dup2 and reopened while other threads run
# KVM_RUN on them (tests/race-run-close.c, 10000 rounds, 3 runners; the
# straight and kept-word paths each call): no crash, no vCPU object lost
# (every vCPU created is listed or retired, no pool-exhausted warning), no
# more runs counted than calls made.  Control: with MODE=off nothing is
# tracked, so the counts read 0 and the same checks fail.
set -eu
. "$top_srcdir/tests/lib.sh"
fake=$top_builddir/tests/.libs/libfake-kvmrun.so
prog=$top_builddir/tests/race-run-close
rounds=10000 runners=3
run() { # stats-file [env...]
	f=$1; shift
	env LD_PRELOAD="$KVMRC_SHIM:$fake:$KVMRC_EMU" KVMEMU_PROFILE=x86_64-6.1 KVMRUN_COMPAT_ARCH=x86_64 \
		KVMRUN_COMPAT_STATS="$f" "$@" "$prog" $rounds $runners 2>"$f.err"
}
num() { tr -d ' \n' <"$1" | grep -o "\"$2\":[0-9]*" | sed 's/.*://' | awk '{ s += $1 } END { print s + 0 }'; }
judge() { # stats-file output: "ok" or what is wrong
	calls=$(echo "$2" | sed -n 's/^calls //p')
	runs=$(( $(num "$1" runs) + $(num "$1" retired_runs) ))
	live=$(tr -d ' \n' <"$1" | grep -o '{"id":' | wc -l)
	vcpus=$(( live + $(num "$1" retired_vcpus) ))
	if grep -q 'vCPUs at once' "$1.err"; then echo "pool exhausted: $(cat "$1.err")"
	elif [ "$vcpus" != $((rounds + runners)) ]; then echo "$vcpus vCPUs listed or retired, $((rounds + runners)) created"
	elif [ "${calls:-0}" -lt "$runs" ] || [ "$runs" = 0 ]; then echo "$runs runs counted, ${calls:-?} calls"
	else echo "ok: $vcpus vCPUs, $runs runs of $calls calls"; fi
}
st=0; out=$(run "$tmp/on.json") || st=$?
[ $st = 0 ] && ok "churned under KVM_RUN: $out" || no "churned under KVM_RUN (exit $st)" "$out" "$(cat "$tmp/on.json.err")"
got=$(judge "$tmp/on.json" "$out")
case $got in ok*) ok "counts: $got" ;; *) no "counts" "$got" ;; esac
st=0; out=$(run "$tmp/off.json" KVMRUN_COMPAT_MODE=off) || st=$?
: >>"$tmp/off.json"
got=$(judge "$tmp/off.json" "$out")
case $got in ok*) no "control, MODE=off: the checks pass" "$got" ;; *) ok "control, MODE=off: $got" ;; esac
finish

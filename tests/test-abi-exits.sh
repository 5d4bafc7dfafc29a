#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# --abi=VERSION, the exit ABI (shim/abi-fields.c, shim/abi-run.c) on the
# emulator's newest profiles (x86_64-6.12, arm64-6.19):
#  - the careless VMM of tests/abi-ci-vmm.h (kvm-ioctls' unbounded
#    system_event.data[0..ndata], hsr_high without its flag) FAILS under
#    --abi=5.10 --poison and passes without it; the careful one passes both
#    ways; --abi of the release that defined the field (the control) passes;
#  - --abi-stale leaves what the previous exit left (0xab of an MMIO
#    address under arm64 hsr_high, as real 5.10 shows; the IO count under
#    x86 ndata);
#  - the flag bit VERSION lacks reads 0, an exit VERSION cannot produce is
#    logged once, stats count per row and per vCPU;
#  - on every emulator profile, for every VERSION up to its kernel, the rows
#    acting are the table's for the arch and VERSION (with a control);
#  - --probe --abi lists the rows; the table is the ledger's "Exit ABI by
#    version" (with a control).
# The byte-level invariant (only the rows' bytes change) is test-abi-run.c.
set -eu
. "$top_srcdir/tests/lib.sh"
kc=$top_builddir/tools/kvmrun-compat
vmm=$top_builddir/tests/abi-ci-vmm
KVMRUN_COMPAT_LIBRARY=$KVMRC_SHIM
export KVMRUN_COMPAT_LIBRARY
for v in MODE STRICT ARCH FAIL_ENTRY LOG LOG_LEVEL STATS ONLY_CMDS SKIP_CMDS CONFIG POISON ABI ABI_STALE KERNEL; do
	unset "KVMRUN_COMPAT_$v"
done
X86='io port=0x3f8 dir=out size=1 count=1 data=0x41; hyperv_crash'
ARM='mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk; system_event type=reset'
run() { # profile scenario wrapper-options... -- command: output in $out, status in $st
	p=$1 s=$2; shift 2
	case $p in arm64-*) a=arm64 ;; *) a=x86_64 ;; esac
	k=${p#*-}.0
	out=$(LD_PRELOAD=$KVMRC_EMU KVMEMU_PROFILE=$p KVMEMU_SCENARIO=$s KVMRUN_COMPAT_KERNEL=$k \
		"$kc" --arch "$a" "$@" 2>&1) && st=0 || st=$?
}
has() { printf '%s\n' "$out" | grep -q -- "$1"; }

for ps in "x86_64-6.12|$X86|range end index 2779096485" "arm64-6.19|$ARM|ESR 0xa5a5a5a5f2000000"; do
	p=${ps%%|*} rest=${ps#*|}; s=${rest%%|*} why=${rest#*|}
	run "$p" "$s" -- "$vmm" careless
	[ "$st" = 0 ] && ok "$p: the careless VMM passes without --abi" || no "$p careless, no --abi" "exit $st" "$out"
	run "$p" "$s" --poison -- "$vmm" careless
	[ "$st" = 0 ] && ok "$p: and with --poison alone (the running kernel writes the fields)" ||
		no "$p careless --poison" "exit $st" "$out"
	run "$p" "$s" --abi=5.10 --poison -- "$vmm" careless
	[ "$st" = 101 ] && has "panic: .*$why" && ok "$p: the careless VMM fails under --abi=5.10 --poison ($why)" ||
		no "$p careless --abi=5.10 --poison" "exit $st" "$out"
	for o in "" "--abi=5.10 --poison" "--abi=5.10 --abi-stale"; do
		# shellcheck disable=SC2086
		run "$p" "$s" $o -- "$vmm" careful
		[ "$st" = 0 ] && ok "$p: the careful VMM passes ${o:-without --abi}" || no "$p careful $o" "exit $st" "$out"
	done
	run "$p" "$s" --abi=5.19 --poison -- "$vmm" careless
	[ "$st" = 0 ] && ok "$p: control: --abi=5.19 (both fields defined) --poison, the careless VMM passes" ||
		no "$p careless --abi=5.19" "exit $st" "$out"
done

# --abi-stale: what the previous exit left, as the old kernel shows it
run arm64-6.19 "$ARM" --abi=5.10 --abi-stale -- "$vmm" careless
[ "$st" = 101 ] && has 'ESR 0x000000abf2000000' &&
	ok "arm64 --abi-stale: hsr_high is byte 36 of the MMIO exit before (0xab, as on real 5.10)" ||
	no "arm64 --abi-stale" "exit $st" "$out"
run x86_64-6.12 "$X86" --abi=5.10 --abi-stale -- "$vmm" careless
[ "$st" = 0 ] && has 'system_event type=3 ndata=1 ' &&
	ok "x86_64 --abi-stale: ndata is the IO exit's count (1) left at bytes 36-39" ||
	no "x86_64 --abi-stale" "exit $st" "$out"
run x86_64-6.12 "$X86" --abi=5.10 -- "$vmm" careless
[ "$st" = 0 ] && has 'system_event type=3 ndata=0 ' && ok "x86_64 --abi=5.10 without --poison: ndata reads 0" ||
	no "x86_64 --abi without poison" "exit $st" "$out"

# flag bit, counts per row and per vCPU
run arm64-6.19 "$ARM" --abi=5.10 --poison --stats "$tmp/st.json" -- "$vmm" careful
v=$(tr -d '\n' <"$tmp/st.json")
printf '%s' "$v" | grep -q '"vcpus": \[    {"id": 0,.*"abi": {"arm64.flags.hsr_high_valid": 1, "arm64.debug.hsr_high": 4, "arm64.system_event.ndata": 4, "arm64.system_event.data1-15": 120}[},]' &&
	printf '%s' "$v" | grep -q '"abi": {"version": "5.10", "stale": false, "rows": {.*"arm64.debug.hsr_high": 4,' &&
	ok "stats: HSR_HIGH_VALID cleared once, hsr_high 4 bytes, system_event 4 + 120 bytes, per vCPU and in total" ||
	no "stats under --abi" "$v"
run arm64-6.19 "$ARM" --poison --stats "$tmp/st0.json" -- "$vmm" careful
! grep -q '"abi"' "$tmp/st0.json" && ok "stats: no abi counters without --abi (control)" ||
	no "stats control" "$(cat "$tmp/st0.json")"
run arm64-6.19 "debug ec=brk esr_high=0x1" --abi=5.19 --poison -- "$vmm" careful
[ "$st" = 101 ] && has 'ESR 0x00000001f2000000' &&
	ok "control: with --abi=5.19 the flag still vouches for a written hsr_high (the careful VMM reads ISS2 0x1)" ||
	no "flag control" "exit $st" "$out"

# an exit VERSION cannot produce: one line, the first time
H='hypercall nr=12 a0=0x1000 a1=1 a2=0; hypercall nr=12 a0=0x2000 a1=1 a2=0; hyperv_crash'
run x86_64-6.12 "$H" --abi=5.10 --poison -- "$vmm" careful
n=$(printf '%s\n' "$out" | grep -c 'which Linux 5.10 cannot produce' || true)
[ "$st" = 0 ] && [ "$n" = 1 ] && has 'exit 3 (x86_64.exit.HYPERCALL) happened' &&
	ok "two HYPERCALL exits under --abi=5.10: one line" || no "impossible exit log" "exit $st, $n lines" "$out"
run x86_64-6.12 "$H" --abi=5.14 --poison -- "$vmm" careful
! has 'cannot produce' && ok "control: --abi=5.14 (x86 hypercall exits from 5.14) logs nothing" ||
	no "impossible exit control" "$out"

# every emulator profile, every VERSION from 5.4 to the profile's kernel:
# the rows acting (stats) are those of the table for the arch and VERSION,
# and a system_event exit sets its rows' bytes
"$top_builddir/tests/abi-caps-probe" --exits >"$tmp/rows"
RV='mmio addr=0x1000 len=4 write=1 data=0x1; system_event type=reset'
bad=
nruns=0
for p in arm64-5.10 arm64-5.15 arm64-5.18 arm64-6.1 arm64-6.12 arm64-6.19 x86_64-5.4 x86_64-5.10 x86_64-5.15 \
	x86_64-6.1 x86_64-6.6 x86_64-6.12 riscv64-6.1; do
	a=${p%%-*} k=${p#*-}
	case $a in arm64) s=$ARM ;; x86_64) s=$X86 ;; *) s=$RV ;; esac
	for v in 5.4 5.10 5.15 5.18 5.19 6.1 6.4 6.6 6.11 6.12 6.19; do
		[ "$(printf '%s\n%s\n' "$v" "$k" | sort -V | tail -n 1)" = "$k" ] || continue
		run "$p" "$s" --abi="$v" --poison --stats "$tmp/p.json" -- "$vmm" careful
		nruns=$((nruns + 1))
		[ "$st" = 0 ] || { bad="$bad
$p --abi=$v: exit $st: $out"; continue; }
		got=$(sed -n '/"abi": {"version"/,/}}/p' "$tmp/p.json" | sed -n 's/^ *"\([^"]*\)": [0-9]*,*$/\1/p' | sort)
		want=$(awk -v a="$a." -v v="$v" 'function n(x, q) { split(x, q, "."); return q[1] * 1000 + q[2] }
			index($2, a) == 1 && n($6) > n(v) { print $2 }' "$tmp/rows" | sort)
		[ "$got" = "$want" ] || bad="$bad
$p --abi=$v: rows $(echo $got) != table $(echo $want)"
		for f in system_event.ndata:4 system_event.data1-15:120; do
			printf '%s\n' "$want" | grep -qx "$a.${f%%:*}" || continue
			grep -q "\"$a.${f%%:*}\": ${f#*:}" "$tmp/p.json" || bad="$bad
$p --abi=$v: $a.${f%%:*} did not set ${f#*:} bytes"
		done
	done
done
[ -z "$bad" ] && [ "$nruns" -ge 60 ] && ok "$nruns profile x VERSION runs: the rows acting are the table's, system_event rows set their bytes" ||
	no "per profile and VERSION ($nruns runs)" "$bad"

# control: a table with hsr_high at 5.18 differs from what acts on arm64-6.19 --abi=5.18
run arm64-6.19 "$ARM" --abi=5.18 --poison --stats "$tmp/p.json" -- "$vmm" careful
got=$(sed -n '/"abi": {"version"/,/}}/p' "$tmp/p.json" | sed -n 's/^ *"\([^"]*\)": [0-9]*,*$/\1/p' | sort)
want=$(sed 's/^V9 arm64.debug.hsr_high unwritten 4 36-39 5.19$/V9 arm64.debug.hsr_high unwritten 4 36-39 5.18/' "$tmp/rows" |
	awk -v a=arm64. -v v=5.18 'function n(x, q) { split(x, q, "."); return q[1] * 1000 + q[2] }
		index($2, a) == 1 && n($6) > n(v) { print $2 }' | sort)
[ -n "$got" ] && [ "$got" != "$want" ] && ok "control: a changed row is seen against the rows acting" ||
	no "control: per-profile rows" "$got"

# --probe --abi lists them
out=$(LD_PRELOAD=$KVMRC_EMU KVMEMU_PROFILE=x86_64-6.12 "$kc" --probe --arch x86_64 --kernel 6.12 --abi=5.10 2>&1) || true
printf '%s\n' "$out" | grep -q '^x86_64.system_event.ndata  *SYSTEM_EVENT bytes 36-39  *from 5.18' &&
	printf '%s\n' "$out" | grep -q '^x86_64.exit.HYPERCALL  *HYPERCALL (3)  *from 5.14' &&
	printf '%s\n' "$out" | grep -q '^x86_64.flags.bus_lock  *flags & 0x2  *from 5.12' &&
	! printf '%s\n' "$out" | grep -q '^x86_64.exit.X86_RDMSR' &&
	ok "--probe --abi=5.10 lists fields, flag bits and exits after 5.10 (not RDMSR, which 5.10 has)" ||
	no "--probe --abi=5.10 rows" "$out"

# the table is the ledger's "Exit ABI by version"
ledger_rows() {
	sed -n '/^## Exit ABI by version/,/^## /p' "$1" | awk -F'|' '/^\| V[0-9]+ \|/ {
		for (i = 2; i <= 8; i++) { gsub(/^ +| +$/, "", $i); gsub(/`/, "", $i) }
		print $2, $3, $4, $5, $6, $7 }'
}
ledger=$top_srcdir/docs/abi-ledger.md
"$top_builddir/tests/abi-caps-probe" --exits | awk '{ print $1, $2, $3, $4, $5, $6 }' >"$tmp/code"
ledger_rows "$ledger" >"$tmp/doc"
if [ "$(wc -l <"$tmp/code")" -ge 30 ] && diff "$tmp/doc" "$tmp/code" >"$tmp/diff"; then
	ok "the exit ABI table ($(wc -l <"$tmp/code") rows) is the ledger's"
else
	no "exit ABI table against the ledger" "$(cat "$tmp/diff")"
fi
sed 's/^| V9 | `arm64.debug.hsr_high` | unwritten | 4 | 36-39 | 5.19 |/| V9 | `arm64.debug.hsr_high` | unwritten | 4 | 36-39 | 5.18 |/' "$ledger" >"$tmp/ledger"
ledger_rows "$tmp/ledger" | diff - "$tmp/code" >/dev/null && no "control: a changed ledger row goes unseen" ||
	ok "control: a changed ledger row (hsr_high at 5.18) differs from the table"
finish

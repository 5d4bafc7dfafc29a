#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# --abi=VERSION (KVMRUN_COMPAT_ABI) under the emulator: a capability added
# after VERSION (KVM_CAP_SYSTEM_EVENT_DATA, 215, from 5.18) reads 0 on
# /dev/kvm, a VM and a vCPU, and KVM_ENABLE_CAP of it fails with EINVAL;
# without --abi (the control) the same program sees 1 and the enable reaches
# the kernel.  A bad or too new VERSION is one line, and exit 127 in strict
# mode.  --probe --abi lists the hidden capabilities.  The table matches
# the ledger's "Capabilities by version", each release inside its bracket.  The emulator, like
# the x86 and arm64 kernels, fails KVM_CHECK_EXTENSION on a vCPU fd; the
# shim passes that failure through (vcpu=-1 either way).
set -eu
. "$top_srcdir/tests/lib.sh"
kc=$top_builddir/tools/kvmrun-compat
probe=$top_builddir/tests/abi-caps-probe
KVMRUN_COMPAT_LIBRARY=$KVMRC_SHIM
export KVMRUN_COMPAT_LIBRARY
for v in MODE STRICT ARCH FAIL_ENTRY LOG LOG_LEVEL STATS ONLY_CMDS SKIP_CMDS CONFIG POISON ABI KERNEL; do
	unset "KVMRUN_COMPAT_$v"
done
run() { # profile kernel wrapper-options...: runs the probe of cap 215, output in $out
	p=$1 k=$2; shift 2
	out=$(LD_PRELOAD=$KVMRC_EMU KVMEMU_PROFILE=$p KVMRUN_COMPAT_KERNEL=$k "$kc" "$@" "$probe" 215 2>&1) &&
		st=0 || st=$?
}
lines() { printf '%s\n' "$out" | grep -c . || true; }

for pk in arm64-6.1:6.1.0:arm64 x86_64-6.12:6.12.0:x86_64; do
	p=${pk%%:*} rest=${pk#*:}; k=${rest%%:*} a=${rest#*:}
	run "$p" "$k" --arch "$a"
	[ "$st" = 0 ] && [ "$out" = "sys=1 vm=1 vcpu=-1 enable=0 errno=0" ] &&
		ok "$p without --abi: cap 215 reads 1 on /dev/kvm and the VM and can be enabled (control)" ||
		no "$p control" "exit $st: $out"
	run "$p" "$k" --arch "$a" --abi=5.10
	[ "$st" = 0 ] && [ "$out" = "sys=0 vm=0 vcpu=-1 enable=-1 errno=EINVAL" ] &&
		ok "$p --abi=5.10: cap 215 reads 0 and KVM_ENABLE_CAP fails with EINVAL" ||
		no "$p --abi=5.10" "exit $st: $out"
	run "$p" "$k" --arch "$a" --abi=5.18
	[ "$st" = 0 ] && [ "$out" = "sys=1 vm=1 vcpu=-1 enable=0 errno=0" ] &&
		ok "$p --abi=5.18 (the release that added 215): not hidden" || no "$p --abi=5.18" "exit $st: $out"
	for bad in 4.9 5.100 banana; do
		run "$p" "$k" --arch "$a" --abi=$bad
		[ "$st" = 0 ] && [ "$(lines)" = 2 ] && printf '%s\n' "$out" | grep -q "KVMRUN_COMPAT_ABI" &&
			printf '%s\n' "$out" | grep -q '^sys=1 vm=1 vcpu=-1 enable=0 errno=0$' &&
			ok "$p --abi=$bad: one line, no effect" || no "$p --abi=$bad" "exit $st: $out"
		run "$p" "$k" --arch "$a" --strict --abi=$bad
		[ "$st" = 127 ] && ! printf '%s\n' "$out" | grep -q '^sys=' &&
			ok "$p --strict --abi=$bad: refused (exit 127)" || no "$p --strict --abi=$bad" "exit $st: $out"
	done
done

# newer than the running kernel (here the emulated 6.1)
run arm64-6.1 6.1.0 --arch arm64 --abi=6.12
[ "$st" = 0 ] && [ "$(lines)" = 2 ] && printf '%s\n' "$out" | grep -q 'newer than the running kernel 6.1' &&
	printf '%s\n' "$out" | grep -q '^sys=1 vm=1 vcpu=-1 enable=0 errno=0$' &&
	ok "--abi=6.12 on 6.1: one line, no effect" || no "--abi newer than the kernel" "exit $st: $out"
run arm64-6.1 6.1.0 --arch arm64 --strict --abi=6.12
[ "$st" = 127 ] && ok "--strict --abi=6.12 on 6.1: refused (exit 127)" || no "strict, newer" "exit $st: $out"
# the same version is not newer: a stable 6.1.20 kernel accepts --abi=6.1
run arm64-6.1 6.1.20 --arch arm64 --strict --abi=6.1
[ "$st" = 0 ] && [ "$out" = "sys=1 vm=1 vcpu=-1 enable=0 errno=0" ] && ok "--abi=6.1 on 6.1.20 accepted" ||
	no "--abi=6.1 on 6.1.20" "exit $st: $out"

# --probe --abi lists what it hides on this (emulated) host
out=$(LD_PRELOAD=$KVMRC_EMU KVMEMU_PROFILE=x86_64-6.12 "$kc" --probe --arch x86_64 --kernel 6.12 --abi=5.10 2>&1) &&
	st=0 || st=$?
printf '%s\n' "$out" | grep -q '^KVM_CAP_SYSTEM_EVENT_DATA .* 215  hidden' &&
	printf '%s\n' "$out" | grep -q '^KVM_CAP_EXIT_HYPERCALL .* 201  hidden' &&
	! printf '%s\n' "$out" | grep -q '^KVM_CAP_X86_USER_SPACE_MSR .*hidden' &&
	ok "--probe --abi=5.10 on x86_64-6.12 lists 215 and 201 as hidden, not 188 (5.10 had it)" ||
	no "--probe --abi=5.10" "exit $st" "$out"
out=$(LD_PRELOAD=$KVMRC_EMU KVMEMU_PROFILE=x86_64-6.12 "$kc" --probe --arch x86_64 --kernel 6.12 2>&1) || true
! printf '%s\n' "$out" | grep -q 'hidden' && ok "--probe without --abi hides nothing (control)" ||
	no "--probe control" "$out"
st=0
LD_PRELOAD=$KVMRC_EMU KVMEMU_PROFILE=x86_64-6.12 "$kc" --probe --arch x86_64 --kernel 6.12 --abi=7.9 >/dev/null 2>&1 ||
	st=$?
[ "$st" = 125 ] && ok "--probe --abi=7.9 (unknown): usage error" || no "--probe --abi=7.9" "exit $st"
# the table the shim is built with is the ledger's "Capabilities by version",
# and each row's release lies in the bracket of the trees read for it
ledger_table() { # prints "CAP NAME X.Y ARCHES" from the ledger
	sed -n '/^## Capabilities by version/,/^## /p' "$1" | awk -F'|' '/^\| [0-9]+ \|/ {
		gsub(/[ `~]/, "", $2); gsub(/[ `~]/, "", $3); gsub(/[ `~]/, "", $4)
		a = $6; m = ""
		if (a ~ /x86_64/) m = m "x"; if (a ~ /arm64/) m = m "a"; if (a ~ /riscv64/) m = m "r"
		if (a ~ /s390x/) m = m "s"; if (a ~ /ppc/) m = m "p"
		print $2, $3, $4, (m == "" ? "-" : m) }'
}
ledger=$top_srcdir/docs/abi-ledger.md
"$probe" --table >"$tmp/code"
ledger_table "$ledger" >"$tmp/doc"
if [ "$(wc -l <"$tmp/code")" -ge 99 ] && diff "$tmp/doc" "$tmp/code" >"$tmp/diff"; then
	ok "the shim's table ($(wc -l <"$tmp/code") rows) is the ledger's"
else
	no "table against the ledger" "$(cat "$tmp/diff")"
fi
# control: one changed release in a copy of the ledger is seen
sed 's/^| 215 | `KVM_CAP_SYSTEM_EVENT_DATA` | ~5.18 |/| 215 | `KVM_CAP_SYSTEM_EVENT_DATA` | ~5.17 |/' "$ledger" >"$tmp/ledger"
ledger_table "$tmp/ledger" | diff - "$tmp/code" >/dev/null && no "control: a changed ledger row goes unseen" ||
	ok "control: a changed ledger row (215 at 5.17) differs from the table"
brackets() { # ledger: rows whose release is outside the bracket of the trees
	sed -n '/^## Capabilities by version/,/^## /p' "$1" | awk -F'|' '
	function vn(v,  p) { split(v, p, "."); return p[1] * 100 + p[2] }
	/^\| [0-9]+ \|/ {
		v = $4; gsub(/[ ~]/, "", v); b = $5; gsub(/ /, "", b)
		if (b ~ /^≤/) { hi = substr(b, index(b, "≤") + length("≤")); lo = "0.0" }
		else { split(b, q, ","); lo = substr(q[1], 2); hi = substr(q[2], index(q[2], "≤") + length("≤")) }
		if (!(vn(v) > vn(lo) && vn(v) <= vn(hi))) print $2, v, b }'
}
bad=$(brackets "$ledger")
[ -z "$bad" ] && ok "every release lies in its bracket" || no "releases outside their bracket" "$bad"
sed 's/^| 188 | `KVM_CAP_X86_USER_SPACE_MSR` | ~5.10 |/| 188 | `KVM_CAP_X86_USER_SPACE_MSR` | ~5.11 |/' "$ledger" >"$tmp/ledger"
[ -n "$(brackets "$tmp/ledger")" ] && ok "control: 188 at 5.11 is outside its bracket (>5.4, ≤5.10)" ||
	no "control: a release outside its bracket goes unseen"
finish

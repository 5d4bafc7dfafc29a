#!/bin/sh
# arm64 KVM_EXIT_FAIL_ENTRY on the emulator: stale reason bits, the
# unrunnable vCPU after an AArch32 exit, and the three ENOEXEC policies.
set -eu
vmm=$top_builddir/tools/demo-vmm
. "$top_srcdir/tests/lib.sh"

# An MMIO exit at an odd address leaves bit 0 set in bytes 32..39: stale,
# it reads as KVM_EXIT_FAIL_ENTRY_CPU_UNSUPPORTED.
stale='mmio addr=0x4242000000000001 len=4 write=1 data=0x77665544'
vm() { # shim(on|off) scenario [vmm args] ; output in $tmp/out, stderr in $tmp/err, status in $st
	pre=$KVMRC_EMU; [ "$1" = on ] && pre=$KVMRC_SHIM:$KVMRC_EMU
	sc=$2; shift 2
	st=0
	LD_PRELOAD=$pre KVMEMU_PROFILE=${PROFILE:-arm64-6.1} KVMEMU_SCENARIO=$sc KVMRUN_COMPAT_ARCH=arm64 \
		timeout 60 "$vmm" "$@" >"$tmp/out" 2>"$tmp/err" || st=$?
}

# 1. asymmetric AArch32: -1/EINVAL, fields never written by the kernel
vm off "$stale; aarch32_el0"
grep -q '^exit=fail_entry ret=-1 reason=0x4242000000000001 cpu=2003195204$' "$tmp/out" &&
	ok "without the shim the stale reason reads as CPU_UNSUPPORTED (bit 0)" || no "baseline: $(cat "$tmp/out")"
vm on "$stale; aarch32_el0"
grep -q '^exit=fail_entry ret=-1 reason=0x0 cpu=0$' "$tmp/out" &&
	ok "with the shim reason and cpu read 0 (unknown)" || no "shim: $(cat "$tmp/out")"

# 2. pass (default): the kernel's result is returned unchanged; a looping
# legacy VMM is told why, rate-limited.  Before 5.16 (and from another thread)
# the unrunnable vCPU fails with ENOEXEC; from 5.16 the same thread gets the
# -1/EINVAL FAIL_ENTRY again (the initialised check moved to the pid-change path).
for p in arm64-5.10:ENOEXEC arm64-6.1:EINVAL; do
	PROFILE=${p%%:*} vm on "$stale; aarch32_el0" --loop-on-error 1000
	n=$(grep -c "^exit=error errno=${p#*:}" "$tmp/out" || true)
	[ "$n" -ge 1000 ] && ok "pass ${p%%:*}: 1000 retries got ${p#*:}" || no "pass ${p%%:*}: $n ${p#*:} lines"
	lines=$(grep -c 'must issue KVM_ARM_VCPU_INIT' "$tmp/err" || true)
	[ "$lines" -ge 1 ] && [ "$lines" -le 11 ] && ok "pass ${p%%:*}: explained in $lines rate-limited lines" ||
		no "pass ${p%%:*}: $lines explanation lines: $(head -3 "$tmp/err")"
	grep -q 'vCPU 0: KVM_RUN fails' "$tmp/err" && ok "pass ${p%%:*}: the line names the vCPU" || no "no vCPU id"
done

for PROFILE in arm64-5.10 arm64-6.1; do
	export PROFILE
	# 3. abort: the spinning VMM is stopped at its first retry, with the message
	KVMRUN_COMPAT_FAIL_ENTRY=abort vm on "$stale; aarch32_el0" --loop-on-error 1000000
	[ "$st" -ge 128 ] && [ "$(grep -c '^exit=error' "$tmp/out" || true)" = 1 ] &&
		[ "$(grep -c 'aborting (fail_entry=abort)' "$tmp/err")" = 1 ] &&
		ok "abort $PROFILE: stopped with status $st and one line" ||
		no "abort $PROFILE: status $st, $(tail -2 "$tmp/err")"

	# 4. exit: the VMM sees the FAIL_ENTRY exit again, as an exit, and stops
	KVMRUN_COMPAT_FAIL_ENTRY=exit vm on "$stale; aarch32_el0" --loop-on-error 1000000
	grep -q '^exit=fail_entry ret=0 reason=0x0 cpu=0$' "$tmp/out" && [ "$st" = 1 ] &&
		[ "$(grep -c '^exit=error' "$tmp/out" || true)" = 1 ] &&
		ok "exit $PROFILE: reported as KVM_EXIT_FAIL_ENTRY, no spin" ||
		no "exit $PROFILE: status $st, $(tail -3 "$tmp/out")"
done
unset PROFILE

# 5. KVM_ARM_VCPU_INIT makes the vCPU runnable again, and the scenario goes on
for PROFILE in arm64-5.10 arm64-6.1; do
	KVMRUN_COMPAT_FAIL_ENTRY=abort PROFILE=$PROFILE vm on "$stale; aarch32_el0; debug ec=brk" --reinit
	grep -q '^reinit$' "$tmp/out" && grep -q '^exit=debug' "$tmp/out" && [ "$st" = 0 ] &&
		ok "$PROFILE: VCPU_INIT makes the vCPU runnable (no abort after re-init)" ||
		no "reinit $PROFILE: status $st $(cat "$tmp/out")"
done

# 6. PMU mismatch (5.18+): the kernel writes both fields; they are kept
vm on "$stale; pmu_mismatch cpu=3"
grep -q '^exit=fail_entry ret=0 reason=0x1 cpu=3$' "$tmp/out" &&
	ok "pmu_mismatch: CPU_UNSUPPORTED and cpu 3 are the kernel's, kept" || no "pmu: $(cat "$tmp/out")"

# 7. HYP_GONE: returns 0, writes neither field: stale values are zeroed
vm on "mmio addr=0x4242000000000003 len=4 write=1 data=0x11; hyp_gone"
grep -q '^exit=fail_entry ret=0 reason=0x0 cpu=0$' "$tmp/out" &&
	ok "hyp_gone: stale reason 0x...3 zeroed" || no "hyp_gone: $(cat "$tmp/out")"

# 8. a bad policy value: one clear line, default kept
KVMRUN_COMPAT_FAIL_ENTRY=explode vm on "$stale; aarch32_el0"
grep -q "bad value 'explode' for KVMRUN_COMPAT_FAIL_ENTRY; default kept" "$tmp/err" &&
	ok "bad policy value named" || no "bad value: $(cat "$tmp/err")"
finish

#!/bin/sh
# demo.sh BUILDDIR - run the careless demo VMM on the embedded KVM emulator,
# for old and new arm64 kernels, without and with the shim, and print a table.
# Run by make demo, which names the built libraries in KVMRC_SHIM and KVMRC_EMU.
set -eu
b=${1:?usage: demo.sh BUILDDIR}
shim=${KVMRC_SHIM:?run through make demo: it names the built libraries}
emu=${KVMRC_EMU:?run through make demo}
vmm=$b/tools/demo-vmm
for f in "$shim" "$emu" "$vmm"; do
	[ -e "$f" ] || { echo "demo.sh: $f is missing; run make first" >&2; exit 2; }
done

# An MMIO exit at 0xab_cdef_0000 leaves 0xab at byte 36 and its data at
# 40..47; then the guest hits BRK #0 and exits with KVM_EXIT_DEBUG.
scenario='mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk'

run() { # profile shim(off|on) vmm-args...
	profile=$1 mode=$2; shift 2
	if [ "$mode" = on ]; then pre="$shim:$emu"; else pre="$emu"; fi
	LD_PRELOAD="$pre" KVMEMU_PROFILE="$profile" KVMEMU_SCENARIO="$scenario" \
		KVMRUN_COMPAT_ARCH=arm64 "$vmm" "$@" 2>&1 | grep '^exit=debug' || echo "exit=debug FAILED"
}

field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

printf '%-11s %-13s %-5s %-11s %-19s %-7s %s\n' kernel "VMM's flags" shim hsr_high far flags "careful VMM"
printf '%-11s %-13s %-5s %-11s %-19s %-7s %s\n' ---------- ------------ ---- ---------- ------------------ ------ -----------
for profile in arm64-5.10 arm64-6.1; do
	for poison in no yes; do
		for mode in off on; do
			if [ $poison = yes ]; then line=$(run $profile $mode --poison-flags); pf="0x1 (junk)";
			else line=$(run $profile $mode); pf="0 (clean)"; fi
			printf '%-11s %-13s %-5s %-11s %-19s %-7s %s\n' "$profile" "$pf" "$mode" \
				"$(field "$line" hsr_high)" "$(field "$line" far)" "$(field "$line" flags)" \
				"$(field "$line" careful_hsr_high)"
		done
	done
done
echo
echo "hsr_high/far: what a VMM that reads the fields unconditionally sees."
echo "careful VMM: whether a VMM that checks KVM_DEBUG_ARCH_HSR_HIGH_VALID trusts hsr_high."
echo "arm64-5.10 leaves 0xab (from the MMIO exit) in hsr_high and the MMIO data in far;"
echo "with the shim both read 0, and junk the VMM left in flags cannot vouch for them."

echo
echo "arm64 KVM_EXIT_FAIL_ENTRY: the guest drops to AArch32 EL0 on an asymmetric host, after an"
echo "MMIO exit at an odd address (stale bit 0 reads as KVM_EXIT_FAIL_ENTRY_CPU_UNSUPPORTED)."
fe='mmio addr=0x4242000000000001 len=4 write=1 data=0x77665544; aarch32_el0'
printf '%-11s %-13s %-24s %-12s %s\n' kernel shim "fail_entry reason" cpu "a VMM retrying KVM_RUN 5 times sees"
printf '%-11s %-13s %-24s %-12s %s\n' ---------- ------------ ----------------------- ----------- -----------------------------------
for profile in arm64-5.10 arm64-6.1; do
	for mode in off pass abort exit; do
		if [ $mode = off ]; then pre="$emu"; else pre="$shim:$emu"; fi
		out=$(LD_PRELOAD="$pre" KVMEMU_PROFILE=$profile KVMEMU_SCENARIO="$fe" KVMRUN_COMPAT_ARCH=arm64 \
			KVMRUN_COMPAT_FAIL_ENTRY=${mode#off} KVMRUN_COMPAT_LOG_LEVEL=none "$vmm" --loop-on-error 5 2>&1 || true)
		first=$(echo "$out" | grep '^exit=fail_entry ret=-1' | head -1)
		then=$(echo "$out" | sed -n '/^exit=fail_entry ret=-1/,$p' | sed 1d | grep -v '^exit=fail_entry ret=-1' |
			sed 's/exit=error errno=\([A-Z]*\).*/\1/; s/exit=fail_entry ret=0.*/FAIL_ENTRY exit/; s/exit=limit//' |
			sort | uniq -c | awk '{printf "%s%s x%s", sep, ($3 == "" ? $2 : $2" "$3), $1; sep=", "}')
		case $out in *Aborted*|*abort*) [ $mode = abort ] && then="process aborted with the explanation";; esac
		[ $mode = abort ] && then="process aborted with the explanation"
		label=$mode; [ $mode = off ] && label="off"; [ $mode != off ] && label="on ($mode)"
		printf '%-11s %-13s %-24s %-12s %s\n' "$profile" "$label" "$(field "$first" reason)" \
			"$(field "$first" cpu)" "$then"
	done
done

#!/bin/sh
# demo.sh BUILDDIR - run the careless demo VMM on the embedded KVM emulator,
# for old and new arm64 kernels, without and with the shim, and print a table.
set -eu
b=${1:?usage: demo.sh BUILDDIR}
shim=$b/.libs/libkvmrun-compat.so
emu=$b/tools/emu/.libs/libkvmrun-emu.so
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

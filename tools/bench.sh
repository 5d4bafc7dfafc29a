#!/bin/sh
# bench.sh BUILDDIR - what the shim costs per ioctl (make bench, which names
# the built libraries in KVMRC_SHIM and KVMRC_EMU).
#  1. wall time: ns per call with and without the shim, median of 5 runs
#     (the machine's load moves these; they are reported, never asserted);
#  2. instructions per call, counted by valgrind's callgrind (repeatable
#     whatever the load): the difference of two run lengths, so start-up
#     costs cancel out.
set -eu
b=${1:?usage: bench.sh BUILDDIR}
shim=${KVMRC_SHIM:?run through make bench: it names the built libraries}
emu=${KVMRC_EMU:?run through make bench}
bench=$b/tools/bench-kvm-run
n=${BENCH_ITERATIONS:-2000000}
# worst case: a system_event exit, where three rules read 136 bytes
sysev='debug ec=brk'
median() { sort -n | sed -n 3p; }
measure() { # kind preload scenario
	for i in 1 2 3 4 5; do
		LD_PRELOAD=$2 KVMEMU_PROFILE=arm64-5.10 KVMEMU_SCENARIO=$3 KVMRUN_COMPAT_ARCH=arm64 \
			"$bench" "$1" "$n" | sed 's/ns_per_call=//'
	done | median
}
ratio() { echo "$1 $2" | awk '{printf "%.3f", $1/$2}'; }
kvm_off=$(measure kvm "$emu" "$sysev")
kvm_on=$(measure kvm "$shim:$emu" "$sysev")
plain_off=$(measure plain "" "")
plain_on=$(measure plain "$shim" "")
printf '%-40s %12s %12s %8s\n' "wall time ($n calls, median of 5)" "no shim" "shim" ratio
printf '%-40s %9s ns %9s ns %8s\n' "KVM_RUN, system_event exit (emulator)" "$kvm_off" "$kvm_on" "$(ratio "$kvm_on" "$kvm_off")"
printf '%-40s %9s ns %9s ns %8s\n' "FIONREAD on a pipe (non-KVM fd)" "$plain_off" "$plain_on" "$(ratio "$plain_on" "$plain_off")"

command -v valgrind >/dev/null 2>&1 || { echo "(valgrind not installed: no instruction counts)"; exit 0; }
instr() { # kind preload scenario calls
	LD_PRELOAD=$2 KVMEMU_PROFILE=arm64-5.10 KVMEMU_SCENARIO=$3 KVMRUN_COMPAT_ARCH=arm64 \
		valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" "$1" "$4" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_call() { # kind preload scenario: instructions per call (100 vs 200 calls, +10% warm-up each)
	a=$(instr "$1" "$2" "$3" 100); c=$(instr "$1" "$2" "$3" 200)
	echo "$a $c" | awk '{printf "%.0f", ($2 - $1) / 110}'
}
mmio=$(i=0; while [ $i -lt 240 ]; do printf 'mmio addr=0x%x len=4 write=1 data=0x1;' $((0x10000000 + i * 4)); i=$((i + 1)); done)
brk=$(i=0; while [ $i -lt 240 ]; do printf 'mmio addr=0xabcdef0000 len=4 write=1 data=0x1; debug ec=brk;'; i=$((i + 1)); done)
printf '\n%-40s %12s %12s %8s\n' "instructions per call (callgrind)" "no shim" "shim" "added"
for row in "KVM_RUN, MMIO exit|kvm|$mmio" "KVM_RUN, MMIO/BRK exits (arm64-5.10)|kvm|$brk" \
	   "KVM_RUN, system_event exit|kvm|$sysev" "FIONREAD on a pipe (non-KVM fd)|plain|"; do
	label=${row%%|*}; rest=${row#*|}; kind=${rest%%|*}; sc=${rest#*|}
	if [ "$kind" = kvm ]; then base=$emu with=$shim:$emu; else base="" with=$shim; fi
	off=$(per_call "$kind" "$base" "$sc")
	on=$(per_call "$kind" "$with" "$sc")
	printf '%-40s %12s %12s %8s\n' "$label" "$off" "$on" "$((on - off))"
done

#!/bin/sh
# bench.sh BUILDDIR - ns per ioctl with and without the shim (make bench).
# Each figure is the median of 5 runs; the machine's load affects them, so
# they are reported, never asserted.
set -eu
b=${1:?usage: bench.sh BUILDDIR}
shim=$b/.libs/libkvmrun-compat.so
emu=$b/tools/emu/.libs/libkvmrun-emu.so
bench=$b/tools/bench-kvm-run
n=${BENCH_ITERATIONS:-2000000}
scenario='debug ec=brk'
median() { sort -n | sed -n 3p; }
measure() { # kind preload
	for i in 1 2 3 4 5; do
		LD_PRELOAD=$2 KVMEMU_PROFILE=arm64-5.10 KVMEMU_SCENARIO=$scenario KVMRUN_COMPAT_ARCH=arm64 \
			"$bench" "$1" "$n" | sed 's/ns_per_call=//'
	done | median
}
kvm_off=$(measure kvm "$emu")
kvm_on=$(measure kvm "$shim:$emu")
plain_off=$(measure plain "")
plain_on=$(measure plain "$shim")
printf '%-34s %12s %12s %8s\n' "ioctl ($n calls, median of 5)" "no shim" "shim" ratio
printf '%-34s %9s ns %9s ns %8s\n' "KVM_RUN on the emulator (arm64)" "$kvm_off" "$kvm_on" \
	"$(echo "$kvm_on $kvm_off" | awk '{printf "%.3f", $1/$2}')"
printf '%-34s %9s ns %9s ns %8s\n' "FIONREAD on a pipe (non-KVM fd)" "$plain_off" "$plain_on" \
	"$(echo "$plain_on $plain_off" | awk '{printf "%.3f", $1/$2}')"
echo "shim cost per KVM_RUN: $(echo "$kvm_on $kvm_off" | awk '{printf "%.1f", $1-$2}') ns; per plain ioctl: $(echo "$plain_on $plain_off" | awk '{printf "%.1f", $1-$2}') ns"

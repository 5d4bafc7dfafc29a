# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/realkvm/l1boot.sh - sourced by the harnesses that run programs inside
# a Debian kernel booted under QEMU TCG with nested virtualization (L1), where
# /dev/kvm is real KVM: tests/realvmm and tests/selftests.
#
#   l1_boot ARCH KERNEL INITRD APPEND MEM-MB TIMEOUT STALL LOGF TAG [OOPS]
#
# Boots one L1 guest (arm64: -M virt,virtualization=on,gic-version=3 -cpu
# max,pauth-impdef=on; x86_64: -M pc -cpu max, AMD SVM+NPT emulated), its
# serial console appended to LOGF, under `timeout TIMEOUT`.  A guest whose
# console stays silent for STALL seconds (a wedged L1 kernel: no timer fires,
# the QEMU idles) is killed, and "TAG-L1-STALL silent=Ns" is appended.  With
# OOPS=1, a guest whose console shows a kernel oops, BUG or panic is killed as
# well ("TAG-L1-OOPS"): a tainted kernel judges nothing more.  Returns QEMU's
# status (124 on timeout), 125 when it was killed for a stall or an oops.
#
#   l1_copy_needed ELF ROOT LIBDIR...
#
# Copies the shared libraries ELF needs, recursively, from the first LIBDIR
# that has each into ROOT/lib (the initramfs of an L1 guest).  Returns 1 when
# one is not found.

L1_OOPS_RE='Internal error: |Oops[:]|BUG: |Kernel panic|general protection fault|WARNING: CPU: .* at |rcu: INFO: .* stall'

l1_boot() {
	local a=$1 k=$2 initrd=$3 append=$4 mem=$5 tmo=$6 stall=$7 logf=$8 tag=$9 oops=${10:-0}
	local pid size last_size=-1 idle=0 console start
	start=$(stat -c %s "$logf" 2>/dev/null || echo 0)
	case $a in
	arm64)
		console=ttyAMA0
		timeout -k 5 "$tmo" qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 \
			-cpu max,pauth-impdef=on -smp 1 -m "$mem" -nographic -no-reboot -nic none -monitor none \
			-kernel "$k" -initrd "$initrd" \
			-append "console=$console panic=-1 $append" </dev/null >>"$logf" 2>&1 & ;;
	x86_64)
		console=ttyS0
		timeout -k 5 "$tmo" qemu-system-x86_64 -M pc -cpu max -smp 1 -m "$mem" \
			-nographic -no-reboot -nic none -monitor none \
			-kernel "$k" -initrd "$initrd" \
			-append "console=$console panic=-1 $append" </dev/null >>"$logf" 2>&1 & ;;
	*) return 2 ;;
	esac
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		size=$(stat -c %s "$logf")
		if [ "$size" = "$last_size" ]; then idle=$((idle + 5)); else idle=0; last_size=$size; fi
		if [ "$idle" -ge "$stall" ]; then
			echo "$tag-L1-STALL silent=${idle}s" >>"$logf"
			kill "$pid" 2>/dev/null
			wait "$pid"
			return 125
		fi
		if [ "$oops" = 1 ] && tail -c +$((start + 1)) "$logf" | tr -d '\r' | grep -a -q -E "$L1_OOPS_RE"; then
			sleep 5 # let the trace reach the log
			echo "$tag-L1-OOPS" >>"$logf"
			kill "$pid" 2>/dev/null
			wait "$pid"
			return 125
		fi
	done
	wait "$pid"
}

l1_copy_needed() {
	local elf=$1 root=$2 n d found
	shift 2
	for n in $(readelf -d "$elf" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -e "$root/lib/$n" ] && continue
		found=
		for d in "$@"; do
			if [ -e "$d/$n" ]; then found=$d/$n; break; fi
		done
		[ -n "$found" ] || { echo "l1_copy_needed: $n (needed by $(basename "$elf")) not found" >&2; return 1; }
		cp -L "$found" "$root/lib/$n"
		l1_copy_needed "$root/lib/$n" "$root" "$@" || return 1
	done
}

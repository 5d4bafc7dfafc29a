#!/bin/sh
# The demo VMM on the emulator, old and new arm64 kernels, without and with
# the shim: exact values a careless VMM reads after a BRK that follows an
# MMIO exit at 0xab_cdef_0000 (data 0x1122334455667788).
set -eu
. "$top_srcdir/tests/lib.sh"
vmm=$top_builddir/tools/demo-vmm
scenario='mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk'
expect() { # profile shim(on|off) poison(yes|no) expected-debug-line
	profile=$1 mode=$2 poison=$3 want=$4
	pre=$KVMRC_EMU; [ "$mode" = on ] && pre=$KVMRC_SHIM:$KVMRC_EMU
	args=; [ "$poison" = yes ] && args=--poison-flags
	# shellcheck disable=SC2086
	got=$(LD_PRELOAD=$pre KVMEMU_PROFILE=$profile KVMEMU_SCENARIO=$scenario KVMRUN_COMPAT_ARCH=arm64 \
		"$vmm" $args 2>&1 | grep '^exit=debug' || true)
	if [ "$got" = "$want" ]; then ok "$profile shim=$mode poison=$poison"
	else no "$profile shim=$mode poison=$poison" "want: $want" "got:  $got"; fi
}
brk=0xf2000000
expect arm64-5.10 off no  "exit=debug hsr=$brk hsr_high=0x000000ab far=0x1122334455667788 flags=0x0000 careful_hsr_high=ignored"
expect arm64-5.10 on  no  "exit=debug hsr=$brk hsr_high=0x00000000 far=0x0000000000000000 flags=0x0000 careful_hsr_high=ignored"
expect arm64-5.10 off yes "exit=debug hsr=$brk hsr_high=0x000000ab far=0x1122334455667788 flags=0x0001 careful_hsr_high=trusted"
expect arm64-5.10 on  yes "exit=debug hsr=$brk hsr_high=0x00000000 far=0x0000000000000000 flags=0x0000 careful_hsr_high=ignored"
expect arm64-6.1  off no  "exit=debug hsr=$brk hsr_high=0x00000000 far=0x1122334455667788 flags=0x0001 careful_hsr_high=trusted"
expect arm64-6.1  on  no  "exit=debug hsr=$brk hsr_high=0x00000000 far=0x0000000000000000 flags=0x0001 careful_hsr_high=trusted"
expect arm64-6.1  on  yes "exit=debug hsr=$brk hsr_high=0x00000000 far=0x0000000000000000 flags=0x0001 careful_hsr_high=trusted"
finish

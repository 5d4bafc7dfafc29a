#!/bin/sh
# KVM calls that bypass libc's ioctl, on the emulator (arm64-5.10: an MMIO
# write leaves 0xab in hsr_high of the next debug exit):
#  - syscall(SYS_ioctl, ...) (and SYS_openat, SYS_dup, SYS_close, SYS_mmap)
#    under the plain preload;
#  - inline `syscall` / `svc #0` KVM_RUNs under --raw-syscalls, and the hostile
#    cases: the VMM's own SIGSYS handler (a library's, installed before or
#    after the shim arms; the VMM's, after; SIG_IGN inherited; installed with
#    a raw rt_sigaction as Go does), its own seccomp filter, fork, exec of a
#    program without the shim.
# Controls: each bypass fails without its feature, and the stale byte shows
# with the shim off.
set -eu
. "$top_srcdir/tests/lib.sh"
vmm=$top_builddir/tests/raw-vmm
ulimit -c 0 2>/dev/null || true # the SIGSYS deaths below are meant
sc='mmio addr=0xabcdef0000 len=4 write=1 data=0x11223344; debug ec=brk'
clean='exit=debug hsr_high=0x00000000 far=0x0000000000000000'
stale='exit=debug hsr_high=0x000000ab far=0x0000000011223344'
run() { # preload [VAR=VAL...] -- raw-vmm args; output in $tmp/out, stderr in $tmp/err, status in $st
	pre=$1; shift
	st=0
	env LD_PRELOAD="$pre" KVMEMU_PROFILE=arm64-5.10 KVMEMU_SCENARIO="$sc" KVMRUN_COMPAT_ARCH=arm64 \
		"$@" >"$tmp/out" 2>"$tmp/err" || st=$?
}
has() { grep -qxF "$1" "$tmp/out"; }
both=$KVMRC_SHIM:$KVMRC_EMU
raw=KVMRUN_COMPAT_RAW_SYSCALLS=1

[ "$(uname -m)" = x86_64 ] || [ "$(uname -m)" = aarch64 ] || skip_all "inline KVM_RUN: x86_64 and arm64 only"

# --- syscall(SYS_ioctl, ...) under the plain preload
run "$both" timeout 60 "$vmm" --run=syscall
has "$clean" && [ "$st" = 0 ] && ok "syscall(): KVM calls through syscall() are tracked and scrubbed" ||
	no "syscall(): status $st" "$(cat "$tmp/out" "$tmp/err")"
run "$both" KVMRUN_COMPAT_MODE=off timeout 60 "$vmm" --run=syscall
has "$stale" && ok "control: with the shim off the same VMM reads hsr_high 0xab" || no "control: $(cat "$tmp/out")"
run "$KVMRC_EMU" timeout 60 "$vmm" --run=syscall
has "$clean" || has "$stale" && no "control: syscall() reached the emulator without the shim" ||
	ok "control: glibc's syscall() passes a libc interposer by (the emulator never sees the calls)"

# --- inline KVM_RUN
run "$both" timeout 60 "$vmm" --run=inline
grep -q '^exit=error' "$tmp/out" && ok "control: without --raw-syscalls an inline KVM_RUN bypasses the shim (and the emulator)" ||
	no "control: inline KVM_RUN without the backstop: $(cat "$tmp/out")"
run "$both" $raw timeout 60 "$vmm" --run=inline
has "$clean" && [ "$st" = 0 ] && [ ! -s "$tmp/err" ] && ok "--raw-syscalls: the inline KVM_RUN traps and is scrubbed, silently" ||
	no "--raw-syscalls: status $st" "$(cat "$tmp/out" "$tmp/err")"
run "$both" $raw timeout 60 "$vmm" --run=libc
has "$clean" && ok "--raw-syscalls: libc's ioctl still works" || no "--raw-syscalls, libc: $(cat "$tmp/out" "$tmp/err")"
run "$both" $raw timeout 60 "$vmm" --run=syscall
has "$clean" && ok "--raw-syscalls: syscall(SYS_ioctl) still works" || no "--raw-syscalls, syscall: $(cat "$tmp/out" "$tmp/err")"
# the wrapper's option
st=0
env KVMRUN_COMPAT_LIBRARY="$KVMRC_SHIM" LD_PRELOAD="$KVMRC_EMU" KVMEMU_PROFILE=arm64-5.10 KVMEMU_SCENARIO="$sc" \
	KVMRUN_COMPAT_ARCH=arm64 timeout 60 "$top_builddir/tools/kvmrun-compat" --raw-syscalls -- "$vmm" --run=inline \
	>"$tmp/out" 2>"$tmp/err" || st=$?
has "$clean" && [ "$st" = 0 ] && ok "kvmrun-compat --raw-syscalls" || no "wrapper: status $st" "$(cat "$tmp/out" "$tmp/err")"

# no filter unless asked; one with it (a child exec'd through the VMM reads its own status)
run "$both" timeout 60 "$vmm" --run=libc --exec /bin/grep '^Seccomp:' /proc/self/status
grep -q '^Seccomp:[[:space:]]*0$' "$tmp/out" && ok "no seccomp filter unless --raw-syscalls" || no "filter without opt-in: $(cat "$tmp/out")"
run "$both" $raw timeout 60 "$vmm" --run=libc --exec /bin/grep '^Seccomp:' /proc/self/status
grep -q '^Seccomp:[[:space:]]*2$' "$tmp/out" && ok "control: --raw-syscalls installs a filter" || no "no filter: $(cat "$tmp/out")"

# --- the VMM's own SIGSYS handler, after the shim's
run "$both" $raw timeout 60 "$vmm" --run=inline --sigsys=main
has 'sigsys query=own' && has 'sigsys raised seen=1 code=-6' && has "$clean" &&
	ok "VMM's SIGSYS handler: its query sees it, a SIGSYS not ours reaches it, KVM_RUN still scrubbed" ||
	no "VMM's SIGSYS handler: $(cat "$tmp/out" "$tmp/err")"
run "$both" timeout 60 "$vmm" --run=inline --sigsys=main
has 'sigsys raised seen=1 code=-6' && ok "control: the same without --raw-syscalls" || no "control: $(cat "$tmp/out")"
# a disposition set before the shim armed (SIG_IGN inherited across exec): kept
# as the VMM's, its query sees it, a raise() is ignored, KVM_RUN still scrubbed
st=0
env KVMEMU_PROFILE=arm64-5.10 KVMEMU_SCENARIO="$sc" KVMRUN_COMPAT_ARCH=arm64 $raw timeout 60 \
	/bin/sh -c 'trap "" SYS; LD_PRELOAD=$1 exec "$0" --run=inline --sigsys=check' "$vmm" "$both" \
	>"$tmp/out" 2>"$tmp/err" || st=$?
has 'sigsys query=ign' && has 'sigsys raised survived' && has "$clean" &&
	ok "SIGSYS ignored before the shim: kept as the VMM's disposition, KVM_RUN scrubbed" ||
	no "SIGSYS ignored before: status $st, $(cat "$tmp/out" "$tmp/err")"
run "$both" $raw timeout 60 "$vmm" --run=inline --sigsys=check
has 'sigsys query=dfl' && ! has 'sigsys raised survived' && [ "$st" = $((128 + 31)) ] &&
	ok "control: with the default disposition the same raise() kills (the shim's handler hides nothing)" ||
	no "control default: status $st, $(cat "$tmp/out")"
# a handler a library's constructor installs: before the shim's constructor
# (listed after the shim in LD_PRELOAD, its constructor runs first) and after
early=$top_builddir/tests/.libs/libsigsys-early.so
for order in before after; do
	[ $order = before ] && pre=$KVMRC_SHIM:$early:$KVMRC_EMU || pre=$early:$KVMRC_SHIM:$KVMRC_EMU
	run "$pre" $raw timeout 60 "$vmm" --run=inline --sigsys=check
	has "early: $order the shim" && has 'early handler: raise' && has 'sigsys raised survived' && has "$clean" &&
		ok "a library's SIGSYS handler installed $order the shim armed: chained to, KVM_RUN scrubbed" ||
		no "library handler $order: status $st, $(cat "$tmp/out" "$tmp/err")"
done
# installed with a raw rt_sigaction (Go): not seen; said in one line at KVM_CREATE_VCPU
run "$both" $raw timeout 60 "$vmm" --run=inline --sigsys=raw
n=$(grep -c 'SIGSYS handler was replaced.*--supervise' "$tmp/err" || true)
[ "$n" = 1 ] && ! has "$clean" && ok "raw rt_sigaction of SIGSYS (Go): one line names supervisor mode" ||
	no "raw rt_sigaction: $n lines, $(cat "$tmp/out" "$tmp/err")"

# --- the VMM's own seccomp filter, stacked: its trap reaches its handler
run "$both" $raw timeout 60 "$vmm" --run=inline --sigsys=main --own-filter
has 'own-filter getppid=4242' && has "$clean" &&
	ok "VMM's own filter: its trap is chained to its handler (getppid answered 4242), KVM_RUN scrubbed" ||
	no "own filter: $(cat "$tmp/out" "$tmp/err")"
run "$both" $raw timeout 60 "$vmm" --run=inline --own-filter
[ "$st" = $((128 + 31)) ] && ok "VMM's own filter, no handler of its own: killed by SIGSYS, as without the shim" ||
	no "own filter without handler: status $st"

# --- fork, exec
run "$both" $raw timeout 60 "$vmm" --run=inline --fork
has "$clean" && has 'fork child status=0' && ok "fork: the child's inline KVM_RUN is scrubbed" ||
	no "fork: $(cat "$tmp/out" "$tmp/err")"
run "$both" $raw timeout 60 "$vmm" --run=libc --set KVMRUN_COMPAT_RAW_SYSCALLS=0 --exec "$vmm" --run=inline
[ "$(grep -cxF "$clean" "$tmp/out")" = 2 ] && [ "$st" = 0 ] &&
	ok "exec with the shim preloaded: the image re-arms with the inherited filter and cookie" ||
	no "exec, preloaded: status $st, $(cat "$tmp/out" "$tmp/err")"
run "$both" $raw timeout 60 "$vmm" --run=libc --set "LD_PRELOAD=$KVMRC_EMU" --exec "$vmm" --run=inline
[ "$st" = $((128 + 31)) ] && ok "exec without the shim: an inline KVM_RUN is killed by SIGSYS (documented: the filter outlives exec)" ||
	no "exec, not preloaded: status $st, $(cat "$tmp/out")"
run "$both" $raw timeout 60 "$vmm" --run=libc --set "LD_PRELOAD=" --exec /bin/sh -c 'exit 7'
[ "$st" = 7 ] && ok "exec without the shim of a program that does no KVM_RUN: unaffected" || no "exec sh: status $st"
finish

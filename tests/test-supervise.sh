#!/bin/sh
# Supervisor mode (kvmrun-compat --supervise; tools/supervise), without
# /dev/kvm: VMMs run on the user-space emulator in its supervised test mode
# (tools/supervise/sv-test.h), so each emulated KVM ioctl is also a system
# call the supervisor stops.
#  1. the realkvm scenarios (tests/realkvm/emu-compare) on every arm64 and
#     x86_64 emulator profile: the VMM's bytes and the stats file under the
#     supervisor are those under the preload, byte for byte; without either
#     they differ (the control); KVMRUN_COMPAT_MODE=off passes through;
#  2. tests/sv-vmm: threads with kicks and EINTR runs, fork, exec, a vCPU fd
#     moved with F_DUPFD, F_DUPFD_CLOEXEC, dup and dup3, the VMM's
#     own stacked filter (trap, errno, kill), non-dumpable VMMs: the same
#     bytes as under the preload;
#  3. the failure modes, each with its one line: the VMM uses ptrace, kills
#     itself, the supervisor is killed, seccomp or ptrace unavailable, the
#     VMM non-dumpable for a supervisor without CAP_SYS_PTRACE;
#  4. where /dev/kvm is usable: a static build of the real-kernel test VMM
#     under the wrapper = the dynamic build under the preload; a vCPU fd
#     inherited across exec stays supervised.
# 1 and 2 also run on the process_vm path (pidfd_getfd failing with ENOSYS,
# as before Linux 5.6, or EPERM): the same bytes as on the pidfd path.  The
# failure is forced with the supervisor's test knob KVMRC_SUPERVISE_TEST_DENY
# (a seccomp filter the supervisor loads into itself: the real system call
# fails; tools/supervise/sv-remote.c).
set -u
. "$top_srcdir/tests/lib.sh"
kc=$top_builddir/tools/kvmrun-compat
sv=$top_builddir/tools/supervise/kvmrun-compat-supervise
ec=$top_builddir/tests/realkvm/emu-compare
vmm=$top_builddir/tests/sv-vmm
[ -x "$sv" ] || skip_all "supervisor mode not built (libseccomp missing)"
for v in MODE STRICT ARCH FAIL_ENTRY LOG LOG_LEVEL STATS ONLY_CMDS SKIP_CMDS CONFIG POISON ABI; do
	unset "KVMRUN_COMPAT_$v"
done
KVMRUN_COMPAT_LIBRARY=$KVMRC_SHIM
export KVMRUN_COMPAT_LIBRARY
unset KVMEMU_SUPERVISED KVMRC_SUPERVISE_TEST

pre() { LD_PRELOAD=$KVMRC_SHIM:$KVMRC_EMU "$@"; }
raw() { LD_PRELOAD=$KVMRC_EMU "$@"; }
sup() {
	LD_PRELOAD=$KVMRC_EMU KVMEMU_SUPERVISED=1 KVMRC_SUPERVISE_TEST=1 KVMRUN_COMPAT_SUPERVISOR=$sv \
		"$kc" --supervise "$@"
}
same() { # description file-a file-b
	if cmp -s "$2" "$3"; then ok "$1"; else no "$1" "$(diff "$2" "$3" | head -20)"; fi
}
has() { # description file text
	if grep -qF -- "$3" "$2"; then ok "$1"; else no "$1" "lacks: $3" "$(head -c 2000 "$2")"; fi
}
status_is() { # description want got
	if [ "$2" = "$3" ]; then ok "$1 (status $3)"; else no "$1" "status $3, expected $2"; fi
}

# ---- 1. every emulator profile of the real-kernel proof, byte for byte
n_prof=0
for prof in arm64-5.10 arm64-5.15 arm64-5.18 arm64-6.1 arm64-6.12 arm64-6.19 \
	    x86_64-5.4 x86_64-5.10 x86_64-5.15 x86_64-6.1 x86_64-6.6 x86_64-6.12; do
	a=${prof%-*} d=$tmp/$prof
	mkdir -p "$d"
	export KVMEMU_PROFILE=$prof KVMRUN_COMPAT_ARCH=$a
	KVMRUN_COMPAT_STATS=$d/pre.json pre "$ec" --arch "$a" --log "$d/l1" >"$d/pre.out" 2>"$d/pre.err" || true
	KVMRUN_COMPAT_STATS=$d/sup.json sup -- "$ec" --arch "$a" --log "$d/l2" >"$d/sup.out" 2>"$d/sup.err" || true
	KVMRUN_COMPAT_STATS=$d/rem.json KVMRC_SUPERVISE_TEST_DENY=ENOSYS sup -- "$ec" --arch "$a" --log "$d/l4" \
		>"$d/rem.out" 2>"$d/rem.err" || true
	raw "$ec" --arch "$a" --log "$d/l3" >"$d/raw.out" 2>&1 || true
	for m in pre sup raw rem; do
		sed 's/ shim=o[nf]*/ shim=-/' "$d/$m.out" >"$d/$m.txt"
		[ -f "$d/$m.json" ] && sed '/"pid":/d' "$d/$m.json" >"$d/$m.stats"
	done
	if [ "$(grep -c '^RESULT' "$d/pre.txt")" -lt 10 ]; then
		no "$prof: the scenarios ran" "$(head -5 "$d/pre.out" "$d/pre.err")"
		continue
	fi
	same "$prof: supervised bytes = preloaded bytes ($(wc -l <"$d/pre.txt") lines)" "$d/pre.txt" "$d/sup.txt"
	same "$prof: supervised stats = preloaded stats" "$d/pre.stats" "$d/sup.stats"
	if cmp -s "$d/pre.txt" "$d/raw.txt"; then no "$prof: control: without the shim the bytes differ"; fi
	same "$prof: the same lines on stderr (the supervisor added none)" "$d/pre.err" "$d/sup.err"
	same "$prof: process_vm path (pidfd_getfd ENOSYS): bytes = pidfd path's" "$d/sup.txt" "$d/rem.txt"
	same "$prof: process_vm path: stats = pidfd path's" "$d/sup.stats" "$d/rem.stats"
	same "$prof: process_vm path: the same lines on stderr" "$d/pre.err" "$d/rem.err"
	case $prof in arm64-5.10 | x86_64-5.10) # the switch off passes everything through, as the preload's does
		KVMRUN_COMPAT_MODE=off sup -- "$ec" --arch "$a" --log "$d/l4" >"$d/off.out" 2>&1 || true
		sed 's/ shim=o[nf]*/ shim=-/' "$d/off.out" >"$d/off.txt"
		same "$prof: KVMRUN_COMPAT_MODE=off under the supervisor = without the shim" "$d/raw.txt" "$d/off.txt" ;;
	esac
	n_prof=$((n_prof + 1))
done
unset KVMEMU_PROFILE KVMRUN_COMPAT_ARCH
[ "$n_prof" -eq 12 ] && ok "control: on 12 profiles the bytes without the shim differ" || true

# ---- 2. sv-vmm: the same bytes as under the preload
export KVMEMU_PROFILE=arm64-5.10 KVMRUN_COMPAT_ARCH=arm64
export KVMEMU_SCENARIO='mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk'
for m in plain "threads 1" "threads 2" "threads 4" fork exec moved filter-trap filter-errno filter-kill nodumpable late; do
	f=$tmp/$(echo "$m" | tr ' ' _)
	# shellcheck disable=SC2086 # $m is "MODE [N]"
	pre "$vmm" $m >"$f.pre" 2>"$f.pre.err" && sp=0 || sp=$?
	# shellcheck disable=SC2086
	sup -- "$vmm" $m >"$f.sup" 2>"$f.sup.err" && ss=0 || ss=$?
	raw "$vmm" $m >"$f.raw" 2>&1 || true
	# shellcheck disable=SC2086
	KVMRC_SUPERVISE_TEST_DENY=ENOSYS sup -- "$vmm" $m >"$f.rem" 2>"$f.rem.err" && sr=0 || sr=$?
	same "sv-vmm $m: supervised output = preloaded output" "$f.pre" "$f.sup"
	status_is "sv-vmm $m: the same exit status" "$sp" "$ss"
	same "sv-vmm $m: process_vm path (pidfd_getfd ENOSYS): output = pidfd path's" "$f.sup" "$f.rem"
	status_is "sv-vmm $m: process_vm path: the same exit status" "$ss" "$sr"
	if cmp -s "$f.pre" "$f.raw"; then no "sv-vmm $m: control: without the shim the output differs"; fi
	grep -q ' stale=[1-9]' "$f.sup" && no "sv-vmm $m: no stale byte under the supervisor" "$(cat "$f.sup")"
done
has "threads: 4 threads ran 50 runs each with EINTR runs" "$tmp/threads_4.sup" "thread vcpu=3 runs=50 stale=0 eintr>=5:yes"
has "fork: the child's own VM is supervised, the parent's vCPU fails there" "$tmp/fork.sup" "child: parent's vCPU r=-1 errno=5"
[ "$(grep -c 'stale=0 ' "$tmp/moved.sup")" -eq 5 ] && [ "$(grep -c 'stale=0 ' "$tmp/moved.rem")" -eq 5 ] &&
	ok "moved: F_DUPFD, F_DUPFD_CLOEXEC, dup, dup3 of the vCPU fd followed (5 clean runs, both paths)" ||
	no "moved: followed" "$(cat "$tmp/moved.sup" "$tmp/moved.rem")"
has "filter-errno: the VMM's filter still fails what it fails" "$tmp/filter-errno.sup" "getppid r=-1 errno=1"
has "filter-trap: the VMM's filter still traps" "$tmp/filter-trap.sup" "SIGSYS caught"
status_is "filter-kill: the VMM's filter still kills" 159 "$(sup -- "$vmm" filter-kill >/dev/null 2>&1; echo $?)"

# --abi=VERSION under the supervisor: a capability VERSION lacked (215,
# KVM_CAP_SYSTEM_EVENT_DATA, 5.18) reads 0 and cannot be enabled, as under
# the preload (tests/test-abi.sh); without --abi (the control) it reads 1
probe=$top_builddir/tests/abi-caps-probe
for pa in arm64-6.1:arm64 x86_64-6.12:x86_64; do
	p=${pa%%:*} a=${pa#*:}
	for abi in "" --abi=5.10; do
		# shellcheck disable=SC2086 # $abi is one option or none
		o1=$(unset KVMEMU_SCENARIO; KVMEMU_PROFILE=$p LD_PRELOAD=$KVMRC_EMU "$kc" --arch "$a" $abi -- "$probe" 215 2>&1) || true
		# shellcheck disable=SC2086
		o2=$(unset KVMEMU_SCENARIO; KVMEMU_PROFILE=$p sup --arch "$a" $abi -- "$probe" 215 2>&1) || true
		want="sys=1 vm=1 vcpu=-1 enable=0 errno=0"
		[ -n "$abi" ] && want="sys=0 vm=0 vcpu=-1 enable=-1 errno=EINVAL"
		[ "$o1" = "$want" ] && [ "$o2" = "$want" ] &&
			ok "$p ${abi:-without --abi}: supervised and preloaded see '$want'" ||
			no "$p ${abi:-no abi}" "preload: $o1" "supervised: $o2"
	done
done

# --only-cmds / --skip-cmds judge COMMAND's name, as the preload does in it
# (not the helper's); the controls: another name, or COMMAND skipped, passes
# it through
sup --only-cmds=sv-vmm -- "$vmm" plain >"$tmp/only.out" 2>&1 || true
same "--only-cmds=sv-vmm: supervised (COMMAND's name judged)" "$tmp/plain.pre" "$tmp/only.out"
sup --only-cmds=firecracker -- "$vmm" plain >"$tmp/only2.out" 2>&1 || true
same "--only-cmds=firecracker: sv-vmm passed through (control)" "$tmp/plain.raw" "$tmp/only2.out"
sup --skip-cmds=sv-vmm -- "$vmm" plain >"$tmp/skip.out" 2>&1 || true
same "--skip-cmds=sv-vmm: passed through" "$tmp/plain.raw" "$tmp/skip.out"

# which path: one info line each; pidfd_getfd refused (EPERM, not
# non-dumpable) takes the process_vm path too; both refused: one line,
# passed through (the control: the knob acts, the bytes are then stale)
sup --log-level info -- "$vmm" plain >/dev/null 2>"$tmp/path.pidfd"
has "pidfd path: its info line" "$tmp/path.pidfd" "supervisor: kvm_run pages through pidfd_getfd"
KVMRC_SUPERVISE_TEST_DENY=ENOSYS sup --log-level info -- "$vmm" plain >/dev/null 2>"$tmp/path.rem"
has "process_vm path: its info line" "$tmp/path.rem" "pidfd_getfd: Function not implemented (Linux 5.6+ has it): kvm_run pages are read and written with process_vm_readv/process_vm_writev"
KVMRC_SUPERVISE_TEST_DENY=EPERM sup --log-level info -- "$vmm" plain >"$tmp/eperm.out" 2>"$tmp/eperm.err" || true
same "pidfd_getfd EPERM: process_vm path, output = preloaded output" "$tmp/plain.pre" "$tmp/eperm.out"
has "pidfd_getfd EPERM: its info line" "$tmp/eperm.err" "pidfd_getfd: Operation not permitted (refused): kvm_run pages are read and written with process_vm_readv"
KVMRC_SUPERVISE_TEST_DENY=EPERM-ALL sup -- "$vmm" plain >"$tmp/both.out" 2>"$tmp/both.err" && st=0 || st=$?
status_is "both refused: the VMM runs" 0 "$st"
has "both refused: one line" "$tmp/both.err" "pidfd_getfd and process_vm_readv fail with EPERM"
[ "$(grep -c supervisor "$tmp/both.err")" -eq 1 ] && ok "both refused: exactly one line" || no "one line" "$(cat "$tmp/both.err")"
same "both refused: passed through (the bytes without the shim)" "$tmp/plain.raw" "$tmp/both.out"

# a jailer-style new PID and mount namespace: the VMM is pid 1 there
if command -v unshare >/dev/null 2>&1 && unshare --pid --fork --mount --mount-proc true 2>/dev/null; then
	sup -- unshare --pid --fork --mount --mount-proc "$vmm" plain >"$tmp/ns.sup" 2>&1 || true
	same "new PID and mount namespace: supervised output = preloaded output" "$tmp/plain.pre" "$tmp/ns.sup"
else
	echo "ok - # SKIP unshare --pid --mount not permitted here"
fi

# ---- 3. failure modes
sup -- "$vmm" ptrace >"$tmp/pt" 2>&1 || true
has "VMM using ptrace: the call fails" "$tmp/pt" "ptrace r=-1 errno=1"
has "VMM using ptrace: one line" "$tmp/pt" "called ptrace(2): a supervised VMM cannot trace"

# the tracee killed: its status passes, the supervisor ends
sup -v -- "$vmm" killself >"$tmp/ks" 2>&1 && st=0 || st=$?
status_is "VMM killed: SIGKILL is its status" 137 "$st"
spid=$(sed -n 's/.*supervisor \([0-9]*\) traces.*/\1/p' "$tmp/ks")
i=0
while [ -n "$spid" ] && kill -0 "$spid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if [ -n "$spid" ] && ! kill -0 "$spid" 2>/dev/null; then ok "VMM killed: the supervisor ended"; else no "supervisor ended" "pid '$spid'"; fi

# the supervisor killed: PTRACE_O_EXITKILL kills the VMM (nothing would scrub its exits)
sup -v -- "$vmm" pause >"$tmp/sk" 2>&1 &
vpid=$!
i=0
while ! grep -q paused "$tmp/sk" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
spid=$(sed -n 's/.*supervisor \([0-9]*\) traces.*/\1/p' "$tmp/sk")
[ -n "$spid" ] && kill -9 "$spid"
wait "$vpid" && st=0 || st=$?
status_is "supervisor killed: the VMM is killed (PTRACE_O_EXITKILL)" 137 "$st"

# job control passes through: a stopped VMM stops (group stop, PTRACE_LISTEN),
# continues, and a signal's status is its own
sup -v -- "$vmm" pause >"$tmp/jc" 2>&1 &
bg=$!
i=0
while ! grep -q paused "$tmp/jc" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
vpid=$(sed -n 's/.*supervisor [0-9]* traces this process (\([0-9]*\)).*/\1/p' "$tmp/jc")
[ -n "$vpid" ] || fail_now "no VMM pid in: $(cat "$tmp/jc")"
spid=$(sed -n 's/.*supervisor \([0-9]*\) traces.*/\1/p' "$tmp/jc")
kill -STOP "$vpid"
# The group stop shows as state t (a traced task, held with PTRACE_LISTEN),
# as does the signal-delivery stop before it: the VMM counts as stopped once
# it is in t while the helper waits (do_wait), three polls in a row.  (A
# SIGCONT sent inside that window would be lost, as under any tracer.)
state() { sed 's/.*) //' "/proc/$vpid/stat" | cut -c1; }
held() { state | grep -q '[Tt]' && [ "$(cat "/proc/$spid/wchan" 2>/dev/null)" = do_wait ]; }
i=0 n=0
while [ $n -lt 3 ] && [ $i -lt 300 ]; do if held; then n=$((n + 1)); else n=0; fi; sleep 0.1; i=$((i + 1)); done
[ $n -ge 3 ] && ok "job control: SIGSTOP stops the VMM" || no "SIGSTOP" "$(cat /proc/$vpid/stat)"
kill -CONT "$vpid"
i=0
while state | grep -q '[Tt]' && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
state | grep -q '[Tt]' && no "SIGCONT" "$(cat /proc/$vpid/stat)" || ok "job control: SIGCONT continues it"
kill -TERM "$vpid"
wait "$bg" && st=0 || st=$?
status_is "a signal reaches the VMM: SIGTERM is its status" 143 "$st"

# seccomp unavailable: one line, exit 126, COMMAND not run
KVMRUN_COMPAT_SUPERVISOR=$sv "$vmm" deny-seccomp "$kc" --supervise -- "$vmm" plain >"$tmp/ns" 2>&1 && st=0 || st=$?
status_is "seccomp unavailable: refused" 126 "$st"
has "seccomp unavailable: one line" "$tmp/ns" "supervisor mode needs seccomp filters"
grep -q '^run ' "$tmp/ns" && no "seccomp unavailable: COMMAND not run" "$(cat "$tmp/ns")"

# ptrace unavailable to the supervisor: one line from it, one from the wrapper
KVMRUN_COMPAT_SUPERVISOR=$sv "$vmm" deny-ptrace "$kc" --supervise -- "$vmm" plain >"$tmp/np" 2>&1 && st=0 || st=$?
status_is "ptrace unavailable: refused" 126 "$st"
has "ptrace unavailable: why" "$tmp/np" "supervisor: cannot trace process"

# non-dumpable VMM: copies taken at KVM_CREATE_VCPU need no privilege
# ("late", above); a VMM non-dumpable before it needs CAP_SYS_PTRACE
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	sup -- setpriv --bounding-set -sys_ptrace -- "$vmm" late >/dev/null 2>&1 || true
	setpriv --bounding-set -sys_ptrace -- env LD_PRELOAD="$KVMRC_EMU" KVMEMU_SUPERVISED=1 KVMRC_SUPERVISE_TEST=1 \
		KVMRUN_COMPAT_SUPERVISOR="$sv" "$kc" --supervise -- "$vmm" late >"$tmp/nl" 2>&1 || true
	same "non-dumpable after KVM_CREATE_VCPU, no CAP_SYS_PTRACE: still supervised" "$tmp/late.pre" "$tmp/nl"
	setpriv --bounding-set -sys_ptrace -- env LD_PRELOAD="$KVMRC_EMU" KVMEMU_SUPERVISED=1 KVMRC_SUPERVISE_TEST=1 \
		KVMRUN_COMPAT_SUPERVISOR="$sv" "$kc" --supervise -- "$vmm" nodumpable >"$tmp/nd" 2>&1 || true
	has "non-dumpable before, no CAP_SYS_PTRACE: one line" "$tmp/nd" "EPERM (the VMM is not dumpable"
	grep -q ' stale=[1-9]' "$tmp/nd" && ok "non-dumpable before, no CAP_SYS_PTRACE: passed through (stale bytes seen)" ||
		no "passed through" "$(cat "$tmp/nd")"
else
	echo "ok - # SKIP the EPERM path needs root and setpriv(1) to drop CAP_SYS_PTRACE"
fi
# ---- 4. real KVM, when this machine has it: the realkvm test VMM built
# static runs under the wrapper (supervised automatically) and gives the bytes
# the dynamic build gives under the preload; without either they differ
rv=$top_srcdir/tests/realkvm
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ "$(uname -m)" = x86_64 ] &&
   ${KVMRC_CC:-cc} -O2 -I"$top_srcdir/include" -o "$tmp/vmm" "$rv/vmm.c" "$rv/vmm-common.c" "$rv/vmm-arm64.c" "$rv/vmm-x86.c" \
	"$rv/vmm-run.c" "$rv/vmm-filter.c" -ldl 2>/dev/null &&
   ${KVMRC_CC:-cc} -O2 -static -I"$top_srcdir/include" -o "$tmp/vmm-static" "$rv/vmm.c" "$rv/vmm-common.c" "$rv/vmm-arm64.c" \
	"$rv/vmm-x86.c" "$rv/vmm-run.c" "$rv/vmm-filter.c" -ldl 2>/dev/null; then
	unset KVMEMU_PROFILE KVMRUN_COMPAT_ARCH KVMEMU_SCENARIO
	LD_PRELOAD=$KVMRC_SHIM "$tmp/vmm" >"$tmp/k.pre" 2>&1 || true
	"$tmp/vmm" >"$tmp/k.raw" 2>&1 || true
	KVMRUN_COMPAT_SUPERVISOR=$sv "$kc" -- "$tmp/vmm-static" >"$tmp/k.sup" 2>"$tmp/k.sup.err" || true
	for m in pre raw sup; do sed 's/ shim=o[nf]*/ shim=-/' "$tmp/k.$m" >"$tmp/k.$m.txt"; done
	n=$(grep -c '^RESULT' "$tmp/k.pre.txt" || true)
	if [ "$n" -gt 0 ]; then
		same "real KVM ($(uname -r)): static VMM supervised = dynamic VMM preloaded ($n RESULT lines)" "$tmp/k.pre.txt" "$tmp/k.sup.txt"
		cmp -s "$tmp/k.pre.txt" "$tmp/k.raw.txt" && no "real KVM: control: without the shim the bytes differ" || ok "real KVM: control: without the shim the bytes differ"
		has "real KVM: the one line of the automatic switch" "$tmp/k.sup.err" "is statically linked: LD_PRELOAD cannot reach it; running it under the supervisor"
		# a vCPU fd kept across exec (not close-on-exec) stays supervised, its
		# record and pending exit with it; control: without the supervisor
		# the runs after exec see stale bytes
		KVMRUN_COMPAT_SUPERVISOR=$sv "$kc" --supervise -- "$vmm" exec-inherit >"$tmp/k.ei" 2>&1 || true
		"$vmm" exec-inherit >"$tmp/k.ei.raw" 2>&1 || true
		[ "$(grep -c '^run .* stale=0 ' "$tmp/k.ei")" -eq 4 ] &&
			ok "real KVM: a vCPU fd inherited across exec stays supervised (4 clean runs)" ||
			no "exec-inherit" "$(cat "$tmp/k.ei")"
		[ "$(grep -c '^run .* stale=0 ' "$tmp/k.ei.raw")" -eq 0 ] && [ "$(grep -c '^run ' "$tmp/k.ei.raw")" -eq 4 ] &&
			ok "real KVM: control: without the supervisor the 4 runs see stale bytes" ||
			no "exec-inherit control" "$(cat "$tmp/k.ei.raw")"
		# Firecracker-style: the scenarios on a thread under the VMM's own
		# filter (default trap; tests/realkvm/vmm-filter.c); a call it
		# forbids still traps (status 148, its handler's line)
		KVMRUN_COMPAT_SUPERVISOR=$sv "$kc" -- "$tmp/vmm-static" unknown filter >"$tmp/k.fc" 2>/dev/null || true
		sed 's/ shim=o[nf]*/ shim=-/' "$tmp/k.fc" >"$tmp/k.fc.txt"
		same "real KVM: static VMM under its own Firecracker-style filter, supervised = dynamic VMM preloaded" "$tmp/k.pre.txt" "$tmp/k.fc.txt"
		KVMRUN_COMPAT_SUPERVISOR=$sv "$kc" -- "$tmp/vmm-static" unknown filter=forbidden >"$tmp/k.fcx" 2>/dev/null && st=0 || st=$?
		status_is "real KVM: control: a call the VMM's filter forbids still traps under the supervisor" 148 "$st"
		has "real KVM: control: its SIGSYS handler's line" "$tmp/k.fcx" "FILTER-SIGSYS nr="
		# jailer-style: new PID and mount namespaces, chroot into a directory
		# holding only the static VMM and /dev/kvm
		if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && mkdir -p "$tmp/jail/dev" &&
		   cp "$tmp/vmm-static" "$tmp/jail/vmm" && mknod "$tmp/jail/dev/kvm" c 10 232 2>/dev/null; then
			KVMRUN_COMPAT_SUPERVISOR=$sv "$kc" --supervise -- unshare --pid --fork --mount chroot "$tmp/jail" /vmm \
				>"$tmp/k.jail" 2>&1 || true
			sed 's/ shim=o[nf]*/ shim=-/' "$tmp/k.jail" >"$tmp/k.jail.txt"
			same "real KVM, new PID+mount namespace and chroot: = dynamic VMM preloaded" "$tmp/k.pre.txt" "$tmp/k.jail.txt"
		else
			echo "ok - # SKIP the chroot check needs root and mknod"
		fi
	else
		echo "ok - # SKIP the realkvm VMM ran no scenario on this machine's KVM"
	fi
else
	echo "ok - # SKIP no usable /dev/kvm (or no static libc) for the real-KVM check"
fi
finish

#!/bin/sh
# Supervisor mode (kvmrun-compat --supervise; tools/supervise), without
# /dev/kvm: VMMs run on the user-space emulator in its supervised test mode
# (tools/supervise/sv-test.h), so each emulated KVM ioctl is also a system
# call the supervisor stops.
#  1. the realkvm scenarios (tests/realkvm/emu-compare) on every arm64 and
#     x86_64 emulator profile: the VMM's bytes and the stats file under the
#     supervisor are those under the preload, byte for byte; without either
#     they differ (the control);
#  2. tests/sv-vmm: threads with kicks and EINTR runs, fork, exec, the VMM's
#     own stacked filter (trap, errno, kill), non-dumpable VMMs: the same
#     bytes as under the preload;
#  3. the failure modes, each with its one line: the VMM uses ptrace, kills
#     itself, the supervisor is killed, seccomp or ptrace unavailable, the
#     VMM non-dumpable for a supervisor without CAP_SYS_PTRACE.
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
	raw "$ec" --arch "$a" --log "$d/l3" >"$d/raw.out" 2>&1 || true
	for m in pre sup raw; do
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
	n_prof=$((n_prof + 1))
done
unset KVMEMU_PROFILE KVMRUN_COMPAT_ARCH
[ "$n_prof" -eq 12 ] && ok "control: on 12 profiles the bytes without the shim differ" || true

# ---- 2. sv-vmm: the same bytes as under the preload
export KVMEMU_PROFILE=arm64-5.10 KVMRUN_COMPAT_ARCH=arm64
export KVMEMU_SCENARIO='mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk'
for m in plain "threads 1" "threads 2" "threads 4" fork exec filter-trap filter-errno filter-kill nodumpable late; do
	f=$tmp/$(echo "$m" | tr ' ' _)
	# shellcheck disable=SC2086 # $m is "MODE [N]"
	pre "$vmm" $m >"$f.pre" 2>"$f.pre.err" && sp=0 || sp=$?
	# shellcheck disable=SC2086
	sup -- "$vmm" $m >"$f.sup" 2>"$f.sup.err" && ss=0 || ss=$?
	raw "$vmm" $m >"$f.raw" 2>&1 || true
	same "sv-vmm $m: supervised output = preloaded output" "$f.pre" "$f.sup"
	status_is "sv-vmm $m: the same exit status" "$sp" "$ss"
	if cmp -s "$f.pre" "$f.raw"; then no "sv-vmm $m: control: without the shim the output differs"; fi
	grep -q ' stale=[1-9]' "$f.sup" && no "sv-vmm $m: no stale byte under the supervisor" "$(cat "$f.sup")"
done
has "threads: 4 threads ran 50 runs each with EINTR runs" "$tmp/threads_4.sup" "thread vcpu=3 runs=50 stale=0 eintr>=5:yes"
has "fork: the child's own VM is supervised, the parent's vCPU fails there" "$tmp/fork.sup" "child: parent's vCPU r=-1 errno=5"
has "filter-errno: the VMM's filter still fails what it fails" "$tmp/filter-errno.sup" "getppid r=-1 errno=1"
has "filter-trap: the VMM's filter still traps" "$tmp/filter-trap.sup" "SIGSYS caught"
status_is "filter-kill: the VMM's filter still kills" 159 "$(sup -- "$vmm" filter-kill >/dev/null 2>&1; echo $?)"

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
finish

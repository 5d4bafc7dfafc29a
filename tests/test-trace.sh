#!/bin/sh
# kvmrun-compat trace, --record and decode on the emulator: every exit on
# one line with its fields by name and what the shim did; decode of a
# recording prints exactly what trace printed; truncated and foreign files
# are refused with one line; the recording costs the vCPU thread no system
# call (test-hotpath's seccomp filter, with recording on); the records of
# the last 10 ms reach the file at _exit, _Exit and exec.
set -eu
. "$top_srcdir/tests/lib.sh"
kc=$top_builddir/tools/kvmrun-compat
vmm=$top_builddir/tools/demo-vmm
scenario='mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk; debug ec=watchpt far=0x1000; system_event type=reset'
emu() { p=$1; shift; env KVMRUN_COMPAT_LIBRARY="$KVMRC_SHIM" LD_PRELOAD="$KVMRC_EMU" KVMEMU_PROFILE="$p" \
	KVMEMU_SCENARIO="$scenario" KVMRUN_COMPAT_KERNEL="${KERNEL:-${p#arm64-}}" KVMRUN_COMPAT_ARCH=arm64 "$kc" "$@"; }

# --- trace: the demo VMM on 5.10 --------------------------------------------
st=0; emu arm64-5.10 trace -o "$tmp/trace.txt" -- "$vmm" >"$tmp/vmm.out" 2>"$tmp/err" || st=$?
t=$tmp/trace.txt
n=$(grep -c ' vcpu 0 ret ' "$t" || true)
[ "$st" = 0 ] && [ "$n" = 4 ] && grep -q '^# kvmrun-compat recording v1: arch arm64, .*shim on' "$t" &&
	ok "trace: exit status of the VMM, a header and 4 exit lines" || no "trace" "status $st, $n lines" "$(cat "$t" "$tmp/err")"
grep -q 'ret 0 MMIO .*phys_addr=0x000000abcdef0000 data=0x1122334455667788 len=8 is_write=1 (write)' "$t" &&
	ok "trace: MMIO fields by name" || no "MMIO line" "$(cat "$t")"
grep -q 'ret 0 DEBUG .*hsr=0xf2000000 (EC 0x3c BRK64) hsr_high=0x00000000 far=0x0000000000000000 | shim: hsr_high: stale 0x000000ab → 0x00000000; far: stale 0x1122334455667788 → 0x0000000000000000$' "$t" &&
	ok "trace: BRK on 5.10: ESR class, and hsr_high/far told stale and cleared" || no "BRK line" "$(cat "$t")"
grep -q 'DEBUG .*(EC 0x34 WATCHPT_LOW).*far=0x0000000000000000 | shim: far: 0x000000abcdef0000 → 0x0000000000000000 (arm64.debug.far)$' "$t" &&
	ok "trace: a 5.10 watchpoint's stale far (the MMIO address) zeroed, the rule named" ||
	no "watchpoint on 5.10" "$(cat "$t")"
grep -q 'ret 0 SYSTEM_EVENT .*type=2 (RESET) ndata=0' "$t" && ok "trace: system_event type by name" ||
	no "system_event line" "$(cat "$t")"
grep -q '^exit=debug hsr=0xf2000000 hsr_high=0x00000000' "$tmp/vmm.out" && ok "trace: the VMM ran under the shim" ||
	no "VMM output" "$(cat "$tmp/vmm.out")"

# 6.1.33 writes far for a watchpoint: kept, and the rule that vouched is named
KERNEL=6.1.33 emu arm64-6.1 trace -o "$tmp/t61.txt" -- "$vmm" >/dev/null 2>&1 || true
grep -q 'WATCHPT_LOW.*far=0x0000000000001000 | shim: far: WATCHPT_LOW, kept (arm64.debug.far)' "$tmp/t61.txt" &&
	ok "trace on 6.1.33: far: WATCHPT_LOW, kept" || no "6.1 watchpoint" "$(cat "$tmp/t61.txt")"
# control: 6.1 writes hsr_high (HSR_HIGH_VALID): the same 0xab before the run is not called stale
grep -q 'BRK64) hsr_high=0x00000000' "$tmp/t61.txt" && ! grep -q 'hsr_high: stale' "$tmp/t61.txt" &&
	ok "control: on 6.1 hsr_high is written (HSR_HIGH_VALID), not told stale" || no "6.1 hsr_high" "$(cat "$tmp/t61.txt")"

# the wrapper's options after trace's own: --mode=off records nothing
st=0; env KVMRUN_COMPAT_LIBRARY="$KVMRC_SHIM" LD_PRELOAD="$KVMRC_EMU" KVMEMU_PROFILE=arm64-5.10 \
	KVMEMU_SCENARIO="$scenario" "$kc" trace -o "$tmp/opt.txt" -- --arch=arm64 --mode=off -- "$vmm" >"$tmp/opt.out" 2>"$tmp/opt.err" || st=$?
grep -q '^exit=debug hsr=0xf2000000 hsr_high=0x000000ab' "$tmp/opt.out" && grep -q 'no exit was recorded' "$tmp/opt.err" &&
	ok "trace -- --mode=off -- VMM: the wrapper's options reach it (nothing recorded, 0xab stale)" ||
	no "wrapper options through trace" "status $st" "$(cat "$tmp/opt.out" "$tmp/opt.err")"
env KVMRUN_COMPAT_LIBRARY="$KVMRC_SHIM" LD_PRELOAD="$KVMRC_EMU" KVMEMU_PROFILE=arm64-5.10 \
	KVMEMU_SCENARIO="$scenario" "$kc" trace -o "$tmp/opt2.txt" -- --arch=arm64 -- "$vmm" >/dev/null 2>&1 || true
grep -q 'hsr_high: stale 0x000000ab' "$tmp/opt2.txt" && ok "control: trace -- --arch=arm64 -- VMM records and tells the stale byte" ||
	no "control trace with --arch" "$(cat "$tmp/opt2.txt")"

# --- several vCPUs (one VM each, all vCPU id 0), kicked into EINTR runs --------
sv=$top_builddir/tests/sv-vmm
if [ -x "$sv" ]; then
	emu arm64-5.10 trace -o "$tmp/thr.txt" -- "$sv" threads 3 >"$tmp/thr.out" 2>&1 || true
	n0=$(grep -c ' vcpu 0 ret ' "$tmp/thr.txt" || true)
	n1=$(grep -c ' vcpu 0 \[#1\] ret ' "$tmp/thr.txt" || true)
	n2=$(grep -c ' vcpu 0 \[#2\] ret ' "$tmp/thr.txt" || true)
	eintr=$(grep -c 'ret -1 EINTR (no new exit: exit_reason still ' "$tmp/thr.txt" || true)
	[ "$n0" = 50 ] && [ "$n1" = 50 ] && [ "$n2" = 50 ] && [ "$eintr" -ge 15 ] &&
		ok "3 vCPU threads (id 0 in 3 VMs): 50 exits each, told apart as #1, #2; $eintr EINTR runs without a new exit" ||
		no "threads" "$n0 $n1 $n2 $eintr" "$(head -5 "$tmp/thr.txt")"
	# each vCPU's lines are in its own order: the sequence numbers the file keeps
	# each vCPU's BRK follows its own MMIO exit: 0xab stale on each, told per vCPU
	[ "$(grep -c 'BRK64.* | shim: hsr_high: stale 0x000000ab → 0x00000000' "$tmp/thr.txt")" = 3 ] &&
		ok "threads: each vCPU's BRK told stale against that vCPU's previous exit" ||
		no "threads decode" "$(grep DEBUG "$tmp/thr.txt" | head -5)"
else
	ok "# SKIP several vCPUs: tests/sv-vmm not built"
fi

# --- --record, then decode: the same lines as trace -------------------------
emu arm64-5.10 --record "$tmp/rec" "$vmm" >/dev/null 2>&1 || true
"$kc" decode "$tmp/rec" >"$tmp/decoded.txt" 2>"$tmp/derr" || true
strip() { sed -e 's/^ *[0-9.]* vcpu/vcpu/' -e 's/pid [0-9]*/pid P/' "$1"; }
strip "$t" >"$tmp/a"; strip "$tmp/decoded.txt" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && [ ! -s "$tmp/derr" ] && ok "decode of --record prints what trace printed (time and pid aside)" ||
	no "decode differs from trace" "$(diff "$tmp/a" "$tmp/b")" "$(cat "$tmp/derr")"
size=$(wc -c <"$tmp/rec")
[ "$size" -lt 1200 ] && ok "recording is compact: $size bytes for 4 exits" || no "recording size $size"
"$kc" decode --vcpu 1 "$tmp/rec" | grep -q ' vcpu ' && no "--vcpu 1 shows vCPU 0" || ok "decode --vcpu 1: no line of vCPU 0"

# supervisor mode (no preload in the VMM: the helper runs the shim's steps) records the same
sv=$top_builddir/tools/supervise/kvmrun-compat-supervise
if [ -x "$sv" ]; then
	env KVMRUN_COMPAT_LIBRARY="$KVMRC_SHIM" LD_PRELOAD="$KVMRC_EMU" KVMEMU_SUPERVISED=1 KVMRC_SUPERVISE_TEST=1 \
		KVMRUN_COMPAT_SUPERVISOR="$sv" KVMEMU_PROFILE=arm64-5.10 KVMRUN_COMPAT_KERNEL=5.10.0 KVMRUN_COMPAT_ARCH=arm64 \
		KVMEMU_SCENARIO="$scenario" "$kc" --supervise --record "$tmp/sv.rec" -- "$vmm" >/dev/null 2>&1 || true
	"$kc" decode "$tmp/sv.rec" >"$tmp/sv.txt" 2>&1 || true
	strip "$tmp/sv.txt" >"$tmp/c"
	cmp -s "$tmp/b" "$tmp/c" && ok "--supervise --record: the same exits, decoded the same, as under the preload" ||
		no "supervised recording" "$(diff "$tmp/b" "$tmp/c")"
else
	ok "# SKIP supervisor mode not built"
fi

# --- refused: truncated, foreign, other version ----------------------------
head -c $((size - 3)) "$tmp/rec" >"$tmp/trunc"
st=0; "$kc" decode "$tmp/trunc" >"$tmp/o" 2>"$tmp/e" || st=$?
[ "$st" = 1 ] && [ ! -s "$tmp/o" ] && [ "$(wc -l <"$tmp/e")" = 1 ] && grep -q 'truncated' "$tmp/e" &&
	ok "truncated file: one line ($(cat "$tmp/e"))" || no "truncated" "status $st" "$(cat "$tmp/o" "$tmp/e")"
printf 'ELF\177 not a recording at all' >"$tmp/foreign"
st=0; "$kc" decode "$tmp/foreign" >"$tmp/o" 2>"$tmp/e" || st=$?
[ "$st" = 1 ] && [ ! -s "$tmp/o" ] && [ "$(wc -l <"$tmp/e")" = 1 ] && grep -q 'not a kvmrun-compat recording' "$tmp/e" &&
	ok "foreign file: one line" || no "foreign" "status $st" "$(cat "$tmp/o" "$tmp/e")"
{ printf 'KVMRCREC\002\000'; tail -c +11 "$tmp/rec"; } >"$tmp/v2"
st=0; "$kc" decode "$tmp/v2" >"$tmp/o" 2>"$tmp/e" || st=$?
[ "$st" = 1 ] && grep -q 'version 2; this reader knows version 1' "$tmp/e" && ok "version 2: refused by name" ||
	no "version" "$(cat "$tmp/e")"
st=0; "$kc" decode "$tmp/rec" >/dev/null 2>&1 || st=$?
[ "$st" = 0 ] && ok "control: the intact file decodes with status 0" || no "control: intact file status $st"

# --- _exit, _Exit, exec: the last records reach the file -------------------
# No destructor runs there: the shim's _exit/_Exit/exec wrappers wait for the
# drain thread (without a system call: the filtered vCPU thread calls _exit).
sv=$top_builddir/tests/sv-vmm
rec() { # FILE sv-vmm ARGS...: exits decoded from FILE after the run
	f=$1; shift; rm -f "$f"; rst=0
	env LD_PRELOAD="$KVMRC_SHIM:$KVMRC_EMU" KVMEMU_PROFILE=arm64-5.10 KVMRUN_COMPAT_ARCH=arm64 \
		KVMRUN_COMPAT_RECORD="$f" "$sv" "$@" >"$f.out" 2>&1 || rst=$?
	echo "status $rst" >>"$f.out"
	"$kc" decode "$f" 2>/dev/null | grep -c ' vcpu 0 ret ' || true
}
if [ -x "$sv" ]; then
	for m in _exit _Exit; do
		n=$(rec "$tmp/x.rec" $m 200)
		[ "$n" = 200 ] && grep -q 'status 0' "$tmp/x.rec.out" && ok "$m after 200 exits: decode finds all 200" ||
			no "$m: $n of 200 exits recorded" "$(tail -3 "$tmp/x.rec.out")"
	done
	n=$(rec "$tmp/e.rec" exec)
	h=$("$kc" decode "$tmp/e.rec" 2>/dev/null | grep -c '^# kvmrun-compat recording' || true)
	[ "$n" = 4 ] && [ "$h" = 2 ] && ok "exec after 2 exits: both recorded, then the new image's 2 after a header of its own" ||
		no "exec: $n of 4 exits, $h headers" "$(cat "$tmp/e.rec.out")"
	case $(rec "$tmp/f.rec" filter-exit 100) in
	100) grep -q 'status 0' "$tmp/f.rec.out" && ok "_exit from a vCPU thread under a kill-by-default seccomp filter: status 0, all 100 recorded" ||
		no "filter-exit status" "$(tail -3 "$tmp/f.rec.out")" ;;
	skip*) ok "# SKIP filter-exit: built without libseccomp" ;;
	*) no "filter-exit" "$(tail -3 "$tmp/f.rec.out")" ;;
	esac
	# control: the same filter kills on a call it does not allow (filter-kill's getppid)
	rec "$tmp/k.rec" filter-kill >/dev/null
	grep -q 'status 159' "$tmp/k.rec.out" || grep -q 'skip:' "$tmp/k.rec.out" &&
		ok "control: that filter kills the VMM on a disallowed system call (status 159)" ||
		no "control filter-kill" "$(tail -3 "$tmp/k.rec.out")"
	# control: exit_group without _exit (no wrapper) loses the batch the drain
	# thread had not written (the drain runs every 10 ms; three tries, as one
	# run could by chance end right after a drain)
	lost=
	for try in 1 2 3; do
		n=$(rec "$tmp/g.rec" exit_group 200)
		[ "$n" -lt 200 ] && { lost="$n"; break; }
	done
	[ -n "$lost" ] && ok "control: syscall(SYS_exit_group) after 200 exits: only $lost recorded" ||
		no "control: exit_group kept all 200 exits three times"
else
	ok "# SKIP _exit and exec: tests/sv-vmm not built"
fi

# --- no system call in the vCPU thread while recording ----------------------
st=0; KVMRUN_COMPAT_RECORD="$tmp/hot.rec" KVMRC_HOTPATH_RUNS=3000000 "$top_builddir/tests/test-hotpath" >"$tmp/hot.log" 2>&1 || st=$?
"$kc" decode "$tmp/hot.rec" >"$tmp/hot.txt" 2>&1 || true
runs=$(grep -c ' vcpu 0 ret ' "$tmp/hot.txt" || true)
[ "$st" = 0 ] && [ "$runs" -ge 256 ] && grep -q "record(s) dropped so far (ring full)" "$tmp/hot.txt" &&
	ok "seccomp hot-path test passes with recording on ($runs exits recorded, the rest counted as dropped)" ||
	no "hot path with recording: status $st, $runs exits" "$(tail -5 "$tmp/hot.log")"
finish

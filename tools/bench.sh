#!/bin/sh
# bench.sh BUILDDIR [--check BASELINE] - what the shim costs per ioctl (make
# bench and make bench-check, which name the built objects in KVMRC_SHIM,
# KVMRC_EMU and KVMRC_BARE).
#  1. wall time: ns per call with and without the shim, median of 5 runs
#     (the machine's load moves these; they are reported, never asserted;
#     KVM_RUN without a scenario: the emulator's SYSTEM_EVENT exit, whose
#     ndata rule takes the shim's full path);
#  2. instructions per call inside the VMM's own loop, counted by valgrind's
#     callgrind (repeatable whatever the load): the difference of two run
#     lengths, so start-up costs cancel out.  Each row is measured with no
#     interposer, with a bare dlsym ioctl wrapper (tools/bench-bare.c) and
#     with the shim; "ratio" is the shim's added count over the bare one's.
# With --check, each added count is compared with BASELINE (committed in the
# tree): more than 20 % (and more than 3 instructions: counts move by one or
# two between runs) over it fails.
set -eu
b=${1:?usage: bench.sh BUILDDIR [--check BASELINE]}
check=
[ "${2:-}" = --check ] && check=${3:?--check needs the baseline file}
shim=${KVMRC_SHIM:?run through make bench: it names the built objects}
emu=${KVMRC_EMU:?run through make bench}
bare=${KVMRC_BARE:?run through make bench}
bench=$b/tools/bench-kvm-run
n=${BENCH_ITERATIONS:-2000000}
results=$b/bench-results.txt
: >"$results"
# 240 exits each: more than the 220 calls of the longer instruction count,
# within the emulator's 256 steps (bench-kvm-run fails if a KVM_RUN does).
rep() { i=0; while [ $i -lt "$2" ]; do printf '%s;' "$1"; i=$((i + 1)); done; }
mmio=$(rep 'mmio addr=0x10000000 len=4 write=1 data=0x1' 240)
io=$(rep 'io port=0x3f8 dir=out size=1 count=1 data=0x41' 240)
brk=$(rep 'mmio addr=0xabcdef0000 len=4 write=0; debug ec=brk' 120)
mread=$(rep 'mmio addr=0x10000000 len=4 write=0' 240)
median() { sort -n | sed -n 3p; }

prog() { case $1 in syscall) echo "$b/tools/bench-raw" ;; *) echo "$bench" ;; esac; }
run() { # kind profile arch preload scenario [valgrind...]; $extra: more VAR=value settings
	kind=$1 prof=$2 arch=$3 pre=$4 sc=$5; shift 5
	# shellcheck disable=SC2086
	env ${extra:-} "LD_PRELOAD=$pre" "KVMEMU_PROFILE=$prof" "KVMEMU_SCENARIO=$sc" "KVMRUN_COMPAT_ARCH=$arch" "$@" \
		"$(prog "$kind")" "$kind" "$calls"
}
wall() { # kind profile arch preload scenario
	for i in 1 2 3 4 5; do calls=$n run "$@" | sed 's/ns_per_call=//'; done | median
}
instr() { # calls kind profile arch preload scenario
	calls=$1; shift
	# bench-kvm-run: inside its loop only (bench_loop), as a VMM's exits cost
	loop=; [ "$1" = syscall ] || loop="--collect-atstart=no --toggle-collect=bench_loop"
	# shellcheck disable=SC2086
	out=$(run "$@" valgrind --tool=callgrind --callgrind-out-file=/dev/null $loop 2>&1) ||
		{ printf 'bench: %s %s failed:\n%s\n' "$1" "$2" "$out" >&2; exit 1; }
	echo "$out" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_call() { # kind profile arch preload scenario: instructions per call (100 vs 200 calls, +10% warm-up each)
	a=$(instr 100 "$@"); c=$(instr 200 "$@")
	echo "$a $c" | awk '{printf "%.0f", ($2 - $1) / 110}'
}
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.1f", $1 / $2; else print "-" }'; }

printf '%-44s %10s %10s %8s\n' "wall time ($n calls, median of 5)" "no shim" "shim" ratio
k_off=$(wall kvm arm64-5.10 arm64 "$emu" "")
k_on=$(wall kvm arm64-5.10 arm64 "$shim:$emu" "")
p_off=$(wall plain x86_64-6.1 x86_64 "" "")
p_on=$(wall plain x86_64-6.1 x86_64 "$shim" "")
printf '%-44s %7s ns %7s ns %8s\n' "KVM_RUN, arm64 SYSTEM_EVENT exit (emulator)" "$k_off" "$k_on" "$(ratio "$k_on" "$k_off")"
printf '%-44s %7s ns %7s ns %8s\n' "FIONREAD on a pipe (non-KVM fd)" "$p_off" "$p_on" "$(ratio "$p_on" "$p_off")"

# --raw-syscalls: an inline KVM_RUN (on a pipe: ENOTTY, so the kernel's part
# is the same in every column) plain, with the shim not opted in, and trapped
# to the SIGSYS handler and re-issued; against a pipe round trip between two
# processes measured in the same run.  Fewer calls: a trapped one costs µs.
m=$((n / 20))
rwall() { for i in 1 2 3 4 5; do LD_PRELOAD=$1 KVMRUN_COMPAT_RAW_SYSCALLS=$2 "$b/tools/bench-raw" "$3" "$m" | sed 's/ns_per_call=//'; done | median; }
i_off=$(rwall "" 0 inline)
i_shim=$(rwall "$shim" 0 inline)
i_raw=$(rwall "$shim" 1 inline)
pp=$(rwall "" 0 pingpong)
s_off=$(rwall "" 0 syscall)
s_on=$(rwall "$shim" 0 syscall)
printf '\n%-44s %10s\n' "--raw-syscalls ($m calls, median of 5)" "per call"
printf '%-44s %7s ns\n' "inline ioctl(KVM_RUN), no shim" "$i_off"
printf '%-44s %7s ns %8s\n' "  shim preloaded, not opted in" "$i_shim" "$(ratio "$i_shim" "$i_off")"
printf '%-44s %7s ns %8s  (%s pipe round trips)\n' "  --raw-syscalls: SIGSYS, re-issued" "$i_raw" \
	"$(ratio "$i_raw" "$i_off")" "$(echo "$i_raw $pp" | awk '{ printf "%.2f", $1 / $2 }')"
printf '%-44s %7s ns\n' "pipe round trip between two processes" "$pp"
printf '%-44s %7s ns %7s ns %8s\n' "syscall(SYS_getppid), no shim / shim" "$s_off" "$s_on" "$(ratio "$s_on" "$s_off")"
# The backstop traps KVM_RUN only: on a real /dev/kvm (make bench only;
# skipped without one) a KVM_RUN that enters the guest and exits, as an
# inline system call, plain and trapped and re-issued.
if [ -z "$check" ] && "$b/tools/bench-raw" kvm-inline 10 >/dev/null 2>&1; then
	k_in=$(rwall "" 0 kvm-inline)
	k_raw=$(rwall "$shim" 1 kvm-inline)
	printf '%-44s %7s ns\n' "inline KVM_RUN of a real vCPU (/dev/kvm)" "$k_in"
	printf '%-44s %7s ns %8s\n' "  --raw-syscalls: SIGSYS, re-issued" "$k_raw" "$(ratio "$k_raw" "$k_in")"
	echo "rawkvm $(ratio "$k_raw" "$k_in")" >>"$results"
fi
# supervisor mode on real KVM (make bench only; skipped without /dev/kvm;
# x86_64 IO exits, arm64 MMIO exits):
# microseconds per KVM_RUN with 1, 2 and 4 vCPU threads, and the machine's
# pipe round trip between two processes in the same run, for scale
sup=$b/tools/supervise/kvmrun-compat-supervise
sb=$b/tools/bench-supervise
if [ -z "$check" ] && [ -x "$sup" ] && [ -x "$sb" ] && "$sb" kvm 1 10 >/dev/null 2>&1; then
	sr=${BENCH_SUPERVISE_RUNS:-20000}
	us() { for i in 1 2 3; do "$@" | sed -n 's/^us_per_[a-z]*=//p'; done | sort -n | sed -n 2p; }
	sv() { KVMRUN_COMPAT_SUPERVISOR=$sup KVMRUN_COMPAT_LIBRARY=$shim "$b/tools/kvmrun-compat" --supervise -- "$@"; }
	rtt=$(us "$sb" pipe "$sr")
	exit_kind="x86 IO exit"
	[ "$(uname -m)" = aarch64 ] && exit_kind="arm64 MMIO exit"
	printf '\n%-44s %9s %9s %9s %9s %9s\n' "supervisor mode, us per KVM_RUN (median of 3)" "no shim" "preload" "supervised" "added" "/pipe rtt"
	for t in 1 2 4; do
		p0=$(us "$sb" kvm $t "$sr")
		p1=$(us env LD_PRELOAD="$shim" "$sb" kvm $t "$sr")
		p2=$(us sv "$sb" kvm $t "$sr")
		printf '%-44s %9s %9s %9s %9s %9s\n' "real KVM_RUN, $exit_kind, $t vCPU thread(s)" "$p0" "$p1" "$p2" \
			"$(echo "$p2 $p0" | awk '{printf "%+.1f", $1 - $2}')" "$(echo "$p2 $p0 $rtt" | awk '{printf "%.1f", ($1 - $2) / $3}')"
	done
	printf '%-44s %9s us\n' "pipe round trip between two processes" "$rtt"
fi

command -v valgrind >/dev/null 2>&1 || { echo "(valgrind not installed: no instruction counts)"; [ -z "$check" ] || exit 1; exit 0; }
printf '\n%-44s %8s %8s %8s %8s %8s %6s\n' "instructions per call (callgrind)" "none" "+bare" "+shim" "bare" "shim" ratio
fail=0
check_row() { # key added: against the baseline (bench-check)
	[ -n "$check" ] || return 0
	want=$(sed -n "s/^$1 \([0-9]*\)$/\1/p" "$check")
	if [ -z "$want" ]; then
		echo "bench-check: $1 has no committed figure in $check"; fail=1
	elif [ "$2" -gt $((want * 120 / 100)) ] && [ "$2" -gt $((want + 3)) ]; then
		echo "bench-check: $1 adds $2 instructions per call, more than 20 % over the committed $want"; fail=1
	fi
}
for row in "arm64_mmio|KVM_RUN, arm64 MMIO write exit (5.10)|kvm|arm64-5.10|arm64|$mmio" \
	   "arm64_mmio_read|KVM_RUN, arm64 MMIO read exits (5.10)|kvm|arm64-5.10|arm64|$mread" \
	   "arm64_brk|KVM_RUN, arm64 MMIO read + BRK (5.10)|kvm|arm64-5.10|arm64|$brk" \
	   "x86_io|KVM_RUN, x86 IO out exit (6.1)|kvm|x86_64-6.1|x86_64|$io" \
	   "arm64_event|KVM_RUN, arm64 SYSTEM_EVENT exit (5.10)|kvm|arm64-5.10|arm64|" \
	   "arm64_mmio_abi|KVM_RUN, arm64 MMIO write (6.19, --abi=5.10)|kvm|arm64-6.19|arm64|$mmio|KVMRUN_COMPAT_KERNEL=6.19.0 KVMRUN_COMPAT_ABI=5.10" \
	   "plain|FIONREAD on a pipe (non-KVM fd)|plain|x86_64-6.1|x86_64|" \
	   "syscall|syscall(SYS_getppid) (not tracked)|syscall|x86_64-6.1|x86_64|"; do
	key=${row%%|*}; rest=${row#*|}; label=${rest%%|*}; rest=${rest#*|}
	kind=${rest%%|*}; rest=${rest#*|}; prof=${rest%%|*}; rest=${rest#*|}; arch=${rest%%|*}; rest=${rest#*|}
	sc=${rest%%|*}; extra=; [ "$sc" = "$rest" ] || extra=${rest#*|}
	if [ "$kind" = kvm ]; then base=$emu with=$shim:$emu withbare=$bare:$emu; else base="" with=$shim withbare=$bare; fi
	off=$(per_call "$kind" "$prof" "$arch" "$base" "$sc")
	b_on=$(per_call "$kind" "$prof" "$arch" "$withbare" "$sc")
	on=$(per_call "$kind" "$prof" "$arch" "$with" "$sc")
	added=$((on - off)); b_added=$((b_on - off))
	printf '%-44s %8s %8s %8s %8s %8s %6s\n' "$label" "$off" "$b_on" "$on" "+$b_added" "+$added" "$(ratio "$added" "$b_added")"
	echo "$key $added" >>"$results"
	check_row "$key" "$added"
done
# --record and trace: what recording adds per exit.  "vCPU thread": the
# instructions inside the shim's KVM_RUN (callgrind collects only there, so
# the emulator's part is in both columns and cancels, and the drain thread's
# encoding and writes are left out): the issue's budget, checked against
# the baseline like the rows above.  "all": the whole process, the drain
# thread's work included (reported only: it depends on when that thread
# wakes).  "traced": under kvmrun-compat trace, which reads the recording
# from a FIFO as it is written.
printf '\n%-44s %8s %8s %8s %8s %8s\n' "instructions per exit, recording (callgrind)" "+shim" "vCPU thr" added all added
recdir=$(mktemp -d)
kc=$b/tools/kvmrun-compat
in_run="--collect-atstart=no --toggle-collect=run_avx2 --toggle-collect=run_sse --toggle-collect=kvmrc_ioctl_run"
rinstr() { # calls how(shim|record|trace) profile arch scenario [callgrind options]
	c=$1 how=$2 prof=$3 arch=$4 sc=$5; shift 5
	set -- env "KVMEMU_PROFILE=$prof" "KVMEMU_SCENARIO=$sc" "KVMRUN_COMPAT_ARCH=$arch" \
		valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" "$bench" kvm "$c"
	case $how in
	shim) out=$(LD_PRELOAD=$shim:$emu "$@" 2>&1) ;;
	record) out=$(LD_PRELOAD=$shim:$emu KVMRUN_COMPAT_RECORD=$recdir/rec "$@" 2>&1) ;;
	trace) out=$(LD_PRELOAD=$emu KVMRUN_COMPAT_LIBRARY=$shim "$kc" trace -o /dev/null -- "$@" 2>&1) ;;
	esac || { printf 'bench: %s %s failed:\n%s\n' "$how" "$prof" "$out" >&2; exit 1; }
	echo "$out" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
rper_call() { a=$(rinstr 100 "$@"); c=$(rinstr 200 "$@"); echo "$a $c" | awk '{printf "%.0f", ($2 - $1) / 110}'; }
for row in "arm64|KVM_RUN, arm64 MMIO write exit (5.10)|arm64-5.10|arm64|$mmio" \
	   "x86_64|KVM_RUN, x86 IO out exit (6.1)|x86_64-6.1|x86_64|$io"; do
	key=${row%%|*}; rest=${row#*|}; label=${rest%%|*}; rest=${rest#*|}
	prof=${rest%%|*}; rest=${rest#*|}; arch=${rest%%|*}; sc=${rest#*|}
	# shellcheck disable=SC2086
	on_t=$(rper_call shim "$prof" "$arch" "$sc" $in_run); on_a=$(rper_call shim "$prof" "$arch" "$sc")
	for how in record trace; do
		# shellcheck disable=SC2086
		t=$(rper_call $how "$prof" "$arch" "$sc" $in_run); all=$(rper_call $how "$prof" "$arch" "$sc")
		printf '%-44s %8s %8s %8s %8s %8s\n' "  $how: ${label#KVM_RUN, }" "$on_t" "$t" "+$((t - on_t))" "$all" "+$((all - on_a))"
		echo "${how}_$key $((t - on_t))" >>"$results"
		echo "${how}_${key}_all $((all - on_a))" >>"$results"
		check_row "${how}_$key" $((t - on_t))
	done
done
rm -rf "$recdir"

# Many vCPU threads.  Every write the shim makes per KVM_RUN goes to the
# vCPU's own record (its own cache lines) or its own kvm_run page; what all
# threads share (fd table, exit tables, fill vector) is only read.  Shown two
# ways: instructions per call with 64 threads equal those with one (callgrind
# runs threads one at a time, so this shows no work that grows with the
# thread count, not contention), and CPU time per call with 1, one per CPU
# and 64 threads ("scaling": that of one thread over that of N, 1.00 when
# threads do not slow each other down; cache lines written by several CPUs
# would lower it).  CPU time, not wall time: other processes on the machine
# take wall time from one thread more than from 64.  Reported, not asserted.
instr_t() { # threads calls preload
	out=$(LD_PRELOAD=$3 KVMEMU_PROFILE=arm64-5.10 KVMEMU_SCENARIO="$mmio" KVMRUN_COMPAT_ARCH=arm64 \
		valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" threads "$1" "$2" 2>&1) ||
		{ printf 'bench: threads %s failed:\n%s\n' "$1" "$out" >&2; exit 1; }
	echo "$out" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_call_t() { # threads preload
	a=$(instr_t "$1" 100 "$2"); c=$(instr_t "$1" 200 "$2")
	echo "$a $c $1" | awk '{printf "%.0f", ($2 - $1) / (100 * $3)}'
}
printf '\n%-44s %8s %8s %8s\n' "instructions per call, arm64 MMIO write" none +shim shim
for t in 1 64; do
	off=$(per_call_t $t "$emu"); on=$(per_call_t $t "$shim:$emu")
	printf '%-44s %8s %8s %8s\n' "  $t thread(s), a vCPU each" "$off" "$on" "+$((on - off))"
	echo "threads${t}_mmio $((on - off))" >>"$results"
done
cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
tn=${BENCH_THREAD_CALLS:-1000000}
cpu_t() { # threads preload: CPU ns per call over all threads, best of 5 (SYSTEM_EVENT exits: no scenario)
	for i in 1 2 3 4 5; do
		LD_PRELOAD=$2 KVMEMU_PROFILE=arm64-5.10 KVMRUN_COMPAT_ARCH=arm64 "$bench" threads "$1" $((tn / $1)) |
			sed 's/.*cpu_ns_per_call=//'
	done | sort -n | sed -n 1p
}
printf '\n%-44s %10s %10s\n' "CPU time per KVM_RUN, $tn over N threads" "no shim" "shim"
one_off=$(cpu_t 1 "$emu"); one_on=$(cpu_t 1 "$shim:$emu")
printf '%-44s %7s ns %7s ns\n' "  1 thread" "$one_off" "$one_on"
for t in $cpus 64; do
	off=$(cpu_t $t "$emu"); on=$(cpu_t $t "$shim:$emu")
	sc() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "-" }'; }
	printf '%-44s %7s ns %7s ns   scaling %s / %s\n' "  $t threads ($cpus CPUs)" "$off" "$on" "$(sc "$one_off" "$off")" "$(sc "$one_on" "$on")"
	echo "scaling${t} $(sc "$one_off" "$off") $(sc "$one_on" "$on")" >>"$results"
done
echo "(figures in $results)"
[ -z "$check" ] || { [ $fail = 0 ] && echo "bench-check: every count within 20 % of $check"; }
exit $fail

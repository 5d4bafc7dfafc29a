#!/bin/sh
# Live metrics: KVMRUN_COMPAT_STATS_FORMAT=prometheus writes the text format
# node_exporter's textfile collector reads (checked with promtool when it is
# installed: Debian package prometheus), and KVMRUN_COMPAT_STATS_INTERVAL
# rewrites the file from the log drain thread while the VMM runs, so a VMM
# killed with SIGKILL leaves counters no older than one interval.
set -eu
. "$top_srcdir/tests/lib.sh"
vmm=$top_builddir/tools/demo-vmm
scenario='mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk'
emu_env() { env LD_PRELOAD="$KVMRC_SHIM:$KVMRC_EMU" KVMEMU_PROFILE=arm64-5.10 KVMRUN_COMPAT_ARCH=arm64 \
	KVMEMU_SCENARIO="$scenario" "$@"; }
py=$(python3 -c 'import sys; print(sys.executable)')

# --- the format ----------------------------------------------------------------
emu_env KVMRUN_COMPAT_STATS="$tmp/kvm.prom" KVMRUN_COMPAT_STATS_FORMAT=prometheus "$vmm" >/dev/null 2>"$tmp/err"
pid_re='pid="[0-9]*"'
grep -q "^kvmrun_compat_kvm_runs_total{vmm=\"demo-vmm\",$pid_re} [1-9]" "$tmp/kvm.prom" &&
	grep -q "^kvmrun_compat_vcpus{vmm=\"demo-vmm\",$pid_re} 1$" "$tmp/kvm.prom" &&
	grep -q "^kvmrun_compat_kernel_info{release=\"$(uname -r)\",vmm=\"demo-vmm\",$pid_re} 1$" "$tmp/kvm.prom" &&
	grep -q "^kvmrun_compat_rule_changes_total{rule=\"arm64\.[a-z_.-]*\",arch=\"arm64\",vmm=\"demo-vmm\",$pid_re} [0-9]*$" "$tmp/kvm.prom" &&
	! grep -q 'rule="x86_64' "$tmp/kvm.prom" && [ ! -s "$tmp/err" ] &&
	ok "prometheus: runs, vCPUs, kernel release and this arch's rules, labelled vmm and pid" ||
	no "prometheus format" "$(cat "$tmp/kvm.prom" "$tmp/err")"
if command -v promtool >/dev/null; then
	promtool check metrics <"$tmp/kvm.prom" >"$tmp/lint" 2>&1 && ok "promtool check metrics: clean" ||
		no "promtool" "$(cat "$tmp/lint")"
	# control: promtool does object to a counter without _total and a metric without HELP
	sed -e 's/_runs_total/_runs/g' -e '/HELP kvmrun_compat_vcpus/d' "$tmp/kvm.prom" >"$tmp/broken.prom"
	! promtool check metrics <"$tmp/broken.prom" >/dev/null 2>&1 && ok "control: promtool rejects a broken file" ||
		no "control: promtool accepted a broken file"
else
	ok "# SKIP promtool check metrics (install the Debian package prometheus)"
fi
emu_env KVMRUN_COMPAT_STATS="$tmp/kvm.json" KVMRUN_COMPAT_STATS_FORMAT=json "$vmm" >/dev/null 2>&1
python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["vcpus"]' "$tmp/kvm.json" &&
	ok "STATS_FORMAT=json: the JSON file as before" || no "json" "$(cat "$tmp/kvm.json")"
# --- --poison: poisoned bytes per field and vCPU -------------------------------
# arm64 5.10: a 4-byte MMIO write leaves mmio.data[4..7], a BRK hsr_high and far
# unwritten; on 6.1 the kernel writes hsr_high (5.19) and the count must say so
pscen='mmio addr=0x1000 len=4 write=1 data=0x11223344; debug ec=brk'
poison_run() { # profile format file [POISON]
	env LD_PRELOAD="$KVMRC_SHIM:$KVMRC_EMU" KVMEMU_PROFILE=$1 KVMRUN_COMPAT_ARCH=arm64 KVMEMU_SCENARIO="$pscen" \
		KVMRUN_COMPAT_STATS="$3" KVMRUN_COMPAT_STATS_FORMAT=$2 ${4:+KVMRUN_COMPAT_POISON=$4} "$vmm" >/dev/null 2>&1
}
poison_run arm64-5.10 json "$tmp/p510.json" 1
poison_run arm64-6.1 json "$tmp/p61.json" 1
poison_run arm64-5.10 json "$tmp/p0.json"
python3 - "$tmp/p510.json" "$tmp/p61.json" "$tmp/p0.json" >"$tmp/pout" 2>&1 <<'PY' && ok "--poison: stats count the poisoned bytes per field and vCPU ($(cat "$tmp/pout"))" || no "--poison stats" "$(cat "$tmp/pout")"
import json, sys
a, b, c = (json.load(open(f)) for f in sys.argv[1:4])
want = {"MMIO.data": 4, "DEBUG.hsr_high": 4, "DEBUG.far": 8, "SYSTEM_EVENT.data": 120}  # then PSCI off: data[1..15]
assert a["poison"]["byte"] == "0xa5", a["poison"]
assert a["poison"]["fields"] == want, a["poison"]["fields"]
assert a["vcpus"][0]["poisoned_bytes"] == want, a["vcpus"][0]
assert "DEBUG.hsr_high" not in b["poison"]["fields"], b["poison"]["fields"]   # 6.1 writes it
assert b["poison"]["fields"]["DEBUG.far"] == 8, b["poison"]["fields"]
assert "poison" not in c and "poisoned_bytes" not in c["vcpus"][0], c       # control: no --poison
print("5.10: %s; 6.1: %s" % (a["poison"]["fields"], b["poison"]["fields"]))
PY
poison_run arm64-5.10 prometheus "$tmp/p.prom" 1
grep -q "^kvmrun_compat_poisoned_bytes_total{field=\"DEBUG.hsr_high\",arch=\"arm64\",vmm=\"demo-vmm\",$pid_re} 4$" "$tmp/p.prom" &&
	{ ! command -v promtool >/dev/null || promtool check metrics <"$tmp/p.prom" >/dev/null 2>&1; } &&
	ok "--poison: kvmrun_compat_poisoned_bytes_total per field (promtool clean)" || no "poison prometheus" "$(grep poison "$tmp/p.prom")"

kc=$top_builddir/tools/kvmrun-compat
st=0; KVMRUN_COMPAT_LIBRARY=$KVMRC_SHIM LD_PRELOAD=$KVMRC_EMU KVMEMU_PROFILE=arm64-5.10 KVMEMU_SCENARIO="$scenario" \
	"$kc" --arch arm64 --stats "$tmp/w.prom" --stats-format=prometheus --stats-interval=5 "$vmm" >/dev/null 2>&1 || st=$?
[ "$st" = 0 ] && grep -q '^kvmrun_compat_vcpus{vmm="demo-vmm",' "$tmp/w.prom" &&
	ok "kvmrun-compat --stats-format=prometheus --stats-interval=5" || no "wrapper options: status $st"
st=0; "$kc" --stats-format=xml true 2>"$tmp/err" || st=$?
[ "$st" = 125 ] && grep -q "stats-format" "$tmp/err" && st=0 && "$kc" --stats-interval=1s true 2>"$tmp/err" || st=$?
[ "$st" = 125 ] && grep -q "stats-interval" "$tmp/err" && ok "wrapper: bad --stats-format / --stats-interval: usage error" ||
	no "wrapper bad values: status $st" "$(cat "$tmp/err")"
emu_env KVMRUN_COMPAT_STATS_FORMAT=yaml KVMRUN_COMPAT_STATS_INTERVAL=-1 "$vmm" >/dev/null 2>"$tmp/err"
grep -q "bad value 'yaml' for KVMRUN_COMPAT_STATS_FORMAT" "$tmp/err" &&
	grep -q "bad value '-1' for KVMRUN_COMPAT_STATS_INTERVAL" "$tmp/err" &&
	ok "bad format and interval values: one line each" || no "bad values" "$(cat "$tmp/err")"

# --- rewritten while the VMM runs; what SIGKILL leaves -------------------------------
cat >"$tmp/vmm.py" <<'PY'
import fcntl, os, sys, time
kvm = os.open("/dev/kvm", os.O_RDWR)
vm = fcntl.ioctl(kvm, 0xAE01, 0)           # KVM_CREATE_VM
vcpu = fcntl.ioctl(vm, 0xAE41, 0)          # KVM_CREATE_VCPU: the drain thread starts
try:
    fcntl.ioctl(vcpu, 0xAE80, 0)           # KVM_RUN (ENOEXEC: no KVM_ARM_VCPU_INIT; still counted)
except OSError:
    pass
print(os.getpid(), flush=True)
time.sleep(120)
PY
wait_for() { i=0; while [ $i -lt 300 ] && ! eval "$1"; do sleep 0.1; i=$((i + 1)); done; eval "$1"; }
run_py() { # interval; starts the VMM in the background, its pid in $bg once it has a vCPU
	rm -f "$tmp/live.prom" "$tmp/py.out"
	emu_env KVMRUN_COMPAT_STATS="$tmp/live.prom" KVMRUN_COMPAT_STATS_FORMAT=prometheus \
		KVMRUN_COMPAT_STATS_INTERVAL="$1" "$py" "$tmp/vmm.py" >"$tmp/py.out" 2>"$tmp/py.err" &
	wait_for '[ -s "$tmp/py.out" ]' || fail_now "the python VMM did not start: $(cat "$tmp/py.err")"
	bg=$(cat "$tmp/py.out")
}
stop_py() { kill -9 "$bg"; wait_for '! kill -0 "$bg" 2>/dev/null' || true; wait 2>/dev/null || true; }
run_py 1
if wait_for '[ -s "$tmp/live.prom" ]'; then
	ok "interval 1 s: the file appears while the VMM runs"
	first=$(stat -c %y "$tmp/live.prom")
	wait_for '[ "$(stat -c %y "$tmp/live.prom")" != "$first" ]' &&
		ok "and is rewritten every interval" || no "not rewritten"
	stop_py
	grep -q "^kvmrun_compat_kvm_runs_total{vmm=\"python3[.0-9]*\",pid=\"$bg\"} [0-9]*$" "$tmp/live.prom" &&
		grep -q '^kvmrun_compat_vcpus{.*} 1$' "$tmp/live.prom" &&
		ok "after SIGKILL the last rewrite is whole (its pid, 1 vCPU)" || no "after SIGKILL" "$(cat "$tmp/live.prom")"
else
	stop_py
	no "interval 1 s: no file while the VMM runs" "$(cat "$tmp/py.out" "$tmp/py.err")"
fi
# control: without an interval nothing is written before exit
run_py 0
sleep 1.5
[ ! -e "$tmp/live.prom" ] && ok "control: without STATS_INTERVAL nothing before exit, nothing after SIGKILL" ||
	no "control: file written without an interval"
stop_py
[ ! -e "$tmp/live.prom" ] || no "control: file after SIGKILL without an interval"
finish

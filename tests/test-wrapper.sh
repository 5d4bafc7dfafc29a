#!/bin/sh
# The kvmrun-compat command: runs the demo VMM on the emulator under the shim,
# passes exit codes through, refuses what LD_PRELOAD cannot reach, writes
# stats, leaves filtered programs alone, probes and lists rules.
set -u
kc=$top_builddir/tools/kvmrun-compat
vmm=$top_builddir/tools/demo-vmm
KVMRUN_COMPAT_LIBRARY=$KVMRC_SHIM
export KVMRUN_COMPAT_LIBRARY
# settings of the caller must not leak into the checks
for v in MODE STRICT ARCH FAIL_ENTRY LOG LOG_LEVEL STATS ONLY_CMDS SKIP_CMDS CONFIG POISON; do
	unset "KVMRUN_COMPAT_$v"
done
scenario='mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk'
t=$(mktemp -d "${TMPDIR:-/tmp}/kvmrc-wrapper.XXXXXX")
trap 'rm -rf "$t"' EXIT
fail=0 n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; fail=1; }

# status-of expected-status description command...: runs, keeps output in $out
expect_status() {
	want=$1 what=$2; shift 2
	out=$("$@" 2>&1) && got=0 || got=$?
	if [ "$got" = "$want" ]; then ok "$what (exit $got)"; else no "$what" "exit $got, expected $want" "$out"; fi
}
contains() { # description needle
	case $out in *"$2"*) ok "$1" ;; *) no "$1" "output lacks: $2" "got: $out" ;; esac
}
emu() { LD_PRELOAD=$KVMRC_EMU KVMEMU_PROFILE=${profile:-arm64-5.10} KVMEMU_SCENARIO=$scenario "$@"; }
debug_line() { echo "$out" | grep '^exit=debug' | head -n 1; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# --- the demo VMM through the wrapper ---------------------------------------
expect_status 0 "demo VMM under the wrapper" emu "$kc" --arch arm64 "$vmm"
l=$(debug_line)
[ "$(field "$l" hsr_high)" = 0x00000000 ] && [ "$(field "$l" far)" = 0x0000000000000000 ] &&
	ok "wrapper: hsr_high and far read 0 on arm64-5.10" || no "wrapper: values" "$l"
expect_status 0 "demo VMM with the emulator alone" emu "$vmm"
l=$(debug_line)
[ "$(field "$l" hsr_high)" = 0x000000ab ] && ok "without the wrapper hsr_high is stale (0xab)" || no "stale value" "$l"

# --- --poison: what a careless VMM reads where the kernel wrote nothing ---------
expect_status 0 "--poison" emu "$kc" --arch arm64 --poison "$vmm"
l=$(debug_line)
[ "$(field "$l" hsr_high)" = 0xa5a5a5a5 ] && [ "$(field "$l" far)" = 0xa5a5a5a5a5a5a5a5 ] &&
	[ "$(field "$l" careful_hsr_high)" = ignored ] &&
	ok "--poison: the careless read of hsr_high and far sees 0xa5, the careful VMM ignores hsr_high" ||
	no "--poison" "$l"
expect_status 0 "--poison=0x5a" emu "$kc" --arch arm64 --poison=0x5a "$vmm"
[ "$(field "$(debug_line)" hsr_high)" = 0x5a5a5a5a ] && ok "--poison=0x5a fills with 0x5a" || no "--poison=0x5a" "$(debug_line)"
profile=arm64-6.1 expect_status 0 "--poison on 6.1" emu "$kc" --arch arm64 --poison "$vmm"
[ "$(field "$(debug_line)" hsr_high)" = 0x00000000 ] && ok "--poison on 6.1: hsr_high the kernel wrote (0) is kept" ||
	no "--poison on 6.1" "$(debug_line)"
expect_status 125 "--poison=300" "$kc" --poison=300 -- true

# --- stats -------------------------------------------------------------------
expect_status 0 "--stats" emu "$kc" --arch=arm64 --stats "$t/stats.json" "$vmm"
if [ -s "$t/stats.json" ] && python3 - "$t/stats.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
assert "arm64.debug.far" in s["rules"], s
assert s["vcpus"][0]["runs"] >= 2 and s["vcpus"][0]["unscrubbed_runs"] == 0, s
EOF
then ok "stats JSON counts runs and rules"; else no "stats JSON" "$(cat "$t/stats.json" 2>&1)"; fi
(cd "$t" && emu "$kc" --arch arm64 --stats rel.json "$vmm" >/dev/null 2>&1)
[ -s "$t/rel.json" ] && ok "--stats with a relative name writes into the current directory" || no "relative --stats"

# --- filters: helper processes are left alone ---------------------------------
expect_status 0 "--only-cmds other" emu "$kc" --arch arm64 --only-cmds=qemu-system-aarch64,other "$vmm"
l=$(debug_line)
[ "$(field "$l" hsr_high)" = 0x000000ab ] && ok "--only-cmds leaves demo-vmm alone" || no "--only-cmds" "$l"
expect_status 0 "--skip-cmds demo-vmm" emu "$kc" --arch arm64 --skip-cmds=demo-vmm "$vmm"
l=$(debug_line)
[ "$(field "$l" hsr_high)" = 0x000000ab ] && ok "--skip-cmds leaves demo-vmm alone" || no "--skip-cmds" "$l"
expect_status 0 "--only-cmds demo-vmm" emu "$kc" --arch arm64 --only-cmds=demo-vmm "$vmm"
l=$(debug_line)
[ "$(field "$l" hsr_high)" = 0x00000000 ] && ok "--only-cmds demo-vmm acts" || no "--only-cmds acts" "$l"
expect_status 0 "--mode off" emu "$kc" --arch arm64 --mode off "$vmm"
l=$(debug_line)
[ "$(field "$l" hsr_high)" = 0x000000ab ] && ok "--mode off passes through" || no "--mode off" "$l"

# --- exit codes ----------------------------------------------------------------
expect_status 7 "exit status passes through" "$kc" sh -c 'exit 7'
out=$(sh -c 'echo $$; exec "$0" sh -c "echo \$\$"' "$kc" 2>&1)
[ "$(echo "$out" | sort -u | wc -l)" = 1 ] && ok "the command keeps the wrapper's PID" || no "PID kept" "$out"
expect_status 127 "missing command" "$kc" kvmrc-no-such-command
contains "missing command message" "kvmrc-no-such-command: command not found"
expect_status 125 "bad --mode value" "$kc" --mode=maybe true
contains "bad value message" "bad value 'maybe' for --mode"
expect_status 125 "bad --log-level value" "$kc" --log-level=loud true
expect_status 125 "unknown option" "$kc" --no-such-option true
expect_status 125 "no command" "$kc"
printf 'not a program\n' >"$t/data"
expect_status 126 "not executable" "$kc" "$t/data"
printf '#!/nonexistent/interpreter\n' >"$t/script"; chmod +x "$t/script"
expect_status 127 "script with a missing interpreter" "$kc" "$t/script"
printf '#!/bin/sh\necho "$KVMRUN_COMPAT_FAIL_ENTRY:$LD_PRELOAD"\n' >"$t/show"; chmod +x "$t/show"
expect_status 0 "script: options reach the environment" "$kc" --fail-entry=exit "$t/show"
case $out in "exit:$KVMRC_SHIM"*) ok "LD_PRELOAD starts with the library" ;; *) no "env in script" "$out" ;; esac

# a static program: LD_PRELOAD cannot work; the wrapper runs it under the
# supervisor (tests/test-supervise.sh) with one line, and refuses when the
# supervisor is missing
if printf 'int main(void) { return 3; }\n' >"$t/st.c" && ${CC:-cc} -static -o "$t/static" "$t/st.c" 2>/dev/null; then
	if [ -x "$top_builddir/tools/supervise/kvmrun-compat-supervise" ]; then
		KVMRUN_COMPAT_SUPERVISOR=$top_builddir/tools/supervise/kvmrun-compat-supervise \
			expect_status 3 "static program supervised, its status passed" "$kc" "$t/static"
		contains "static program: one line" "statically linked: LD_PRELOAD cannot reach it; running it under the supervisor"
		[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && ok "static program: only one line" || no "one line" "$out"
	fi
	KVMRUN_COMPAT_SUPERVISOR=$t/none expect_status 126 "static program without the supervisor refused" "$kc" "$t/static"
	contains "static program: why" "supervisor mode: $t/none"
else
	echo "ok - # SKIP no static libc to build a static program"
fi

# the library did not load: ld.so ignores a preload it cannot use (here an
# executable) and runs the program anyway; the wrapper notices
pie=$(command -v sleep)
if readelf -h "$pie" 2>/dev/null | grep -q 'DYN'; then
	out=$(KVMRUN_COMPAT_LIBRARY=$pie "$kc" sh -c 'sleep 1; exit 5' 2>&1) && got=0 || got=$?
	[ "$got" = 5 ] && ok "unloaded library: command still runs (exit 5)" || no "unloaded: exit" "$got" "$out"
	contains "unloaded library is reported" "was not loaded into process"
	out=$(KVMRUN_COMPAT_LIBRARY=$pie "$kc" --strict sh -c 'sleep 5; exit 5' 2>&1) && got=0 || got=$?
	[ "$got" != 5 ] && ok "strict mode kills a command without the library" || no "strict kill" "$out"
else
	echo "ok - # SKIP $pie is not a position-independent executable"
fi
out=$("$kc" true 2>&1)
[ -z "$out" ] && ok "silent when the library loads" || no "silence" "$out"

# --- --version, --help, --rules ----------------------------------------------------
expect_status 0 "--version" "$kc" --version
contains "--version names the library" "library: $KVMRC_SHIM"
expect_status 0 "--help" "$kc" --help
contains "--help documents exit codes" "127 COMMAND not found"
expect_status 0 "--rules" "$kc" --rules
# the rule count, asked of the library directly
count=$(env -u KVMRUN_COMPAT_LIBRARY python3 -c 'import ctypes, sys
l = ctypes.CDLL(sys.argv[1]); l.kvmrun_compat_rule_count.restype = ctypes.c_size_t
print(l.kvmrun_compat_rule_count())' "$KVMRC_SHIM" 2>/dev/null || echo 0)
listed=$(echo "$out" | grep -c '^[a-z0-9_]*\.[a-z]')
[ "$count" -gt 0 ] && [ "$listed" = "$count" ] && ok "--rules lists all $count rules" || no "--rules count" "listed $listed, library has $count"
contains "--rules shows far" "arm64.debug.far"
expect_status 0 "rules --arch arm64 --json" "$kc" rules --arch arm64 --json
echo "$out" | python3 -c 'import json, sys; r = json.load(sys.stdin)["rules"]; assert r and all(x["arch"] == "arm64" for x in r)' &&
	ok "--rules --json is JSON, arm64 only" || no "--rules --json" "$out"
expect_status 125 "--rules --arch bogus" "$kc" --rules --arch=bogus

# --- --probe -----------------------------------------------------------------------
profile=arm64-5.10
expect_status 0 "--probe under the emulator" emu "$kc" --probe --arch arm64 --kernel 5.10
contains "probe: kernel line" "kernel:"
contains "probe: API version" "KVM API version 12"
contains "probe: SYSTEM_EVENT_DATA absent on 5.10" "KVM_CAP_SYSTEM_EVENT_DATA           215  no"
contains "probe: the flags rule acts on 5.10" "arm64.flags.clear-before-run       yes"
profile=arm64-6.1
expect_status 0 "probe --json under the emulator (6.1)" emu "$kc" probe --json --arch arm64 --kernel 6.1
echo "$out" | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["kvm"]["available"] and p["kvm"]["api_version"] == 12, p
assert p["caps"]["KVM_CAP_SYSTEM_EVENT_DATA"]["value"] == 1, p
acts = {r["name"]: r["acts"] for r in p["rules"]}
assert acts["arm64.system_event.ndata-bound"] == "yes", acts' && ok "probe JSON: caps and rules on 6.1" || no "probe JSON" "$out"
if [ -e /dev/kvm ]; then
	echo "ok - # SKIP this host has /dev/kvm: the no-KVM message is not checked"
else
	expect_status 1 "--probe without /dev/kvm" "$kc" --probe
	contains "no-KVM message" "no /dev/kvm: KVM is not available on this host"
fi

echo "1..$n"
exit $fail

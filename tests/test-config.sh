#!/bin/sh
# Settings: environment, config file, strict mode, log targets, command
# filters and the stats file, observed on the demo VMM (arm64-5.10 emulator:
# hsr_high reads 0xab without the shim acting, 0 with it).
set -eu
vmm=$top_builddir/tools/demo-vmm
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
run() { # env assignments... -- ; output in $tmp/out, $tmp/err, status $st
	st=0
	env LD_PRELOAD="$KVMRC_SHIM:$KVMRC_EMU" KVMEMU_PROFILE=arm64-5.10 KVMRUN_COMPAT_ARCH=arm64 \
		KVMEMU_SCENARIO='mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk' \
		"$@" "$vmm" >"$tmp/out" 2>"$tmp/err" || st=$?
}
hsr_high() { sed -n 's/.*hsr_high=\(0x[0-9a-f]*\).*/\1/p' "$tmp/out"; }

run
[ "$(hsr_high)" = 0x00000000 ] && [ ! -s "$tmp/err" ] && ok "defaults: acts, prints nothing" ||
	bad "defaults: $(hsr_high) / $(cat "$tmp/err")"

run KVMRUN_COMPAT_MODE=off
[ "$(hsr_high)" = 0x000000ab ] && ok "MODE=off passes everything through" || bad "MODE=off: $(hsr_high)"

run KVMRUN_COMPAT_ONLY_CMDS=qemu-system-aarch64,crosvm
[ "$(hsr_high)" = 0x000000ab ] && ok "ONLY_CMDS without this program: left alone" || bad "ONLY_CMDS other"
run KVMRUN_COMPAT_ONLY_CMDS=qemu,demo-vmm
[ "$(hsr_high)" = 0x00000000 ] && ok "ONLY_CMDS naming this program: acts" || bad "ONLY_CMDS this"
run KVMRUN_COMPAT_SKIP_CMDS=demo-vmm KVMRUN_COMPAT_MODE=on
[ "$(hsr_high)" = 0x000000ab ] && ok "SKIP_CMDS wins over MODE=on" || bad "SKIP_CMDS"

run KVMRUN_COMPAT_COLOUR=blue
grep -qx "kvmrun-compat\[[0-9]*\]: warning: unknown setting KVMRUN_COMPAT_COLOUR; default kept" "$tmp/err" &&
	[ "$(wc -l <"$tmp/err")" = 1 ] && [ "$(hsr_high)" = 0x00000000 ] &&
	ok "unknown variable: one line, then defaults" || bad "unknown variable: $(cat "$tmp/err")"

# the wrapper's own settings reach COMMAND: known, silent, even strict
# (the unknown-variable check above is the control)
run KVMRUN_COMPAT_STRICT=1 KVMRUN_COMPAT_SUPERVISOR=/x KVMRUN_COMPAT_LIBRARY=/y
[ "$st" = 0 ] && [ ! -s "$tmp/err" ] && [ "$(hsr_high)" = 0x00000000 ] &&
	ok "the wrapper's SUPERVISOR and LIBRARY: silent, strict runs" || bad "wrapper settings: $st $(cat "$tmp/err")"

run KVMRUN_COMPAT_STRICT=1 KVMRUN_COMPAT_LOG_LEVEL=loud
[ "$st" = 127 ] && grep -q "bad value 'loud' for KVMRUN_COMPAT_LOG_LEVEL" "$tmp/err" &&
	grep -q "strict mode is on; refusing to run" "$tmp/err" && [ ! -s "$tmp/out" ] &&
	ok "strict mode refuses a bad value (exit 127)" || bad "strict: status $st $(cat "$tmp/err")"

cat >"$tmp/conf" <<'CONF'
# a comment
mode = off
log_level = info
colour = blue
fail_entry
CONF
run KVMRUN_COMPAT_CONFIG="$tmp/conf"
grep -q "$tmp/conf: line 4: unknown setting KVMRUN_COMPAT_colour; default kept" "$tmp/err" &&
	grep -q "$tmp/conf: line 5: expected 'key = value'; ignored" "$tmp/err" &&
	[ "$(hsr_high)" = 0x000000ab ] && ok "config file read; bad lines named by line" ||
	bad "config file: $(hsr_high) $(cat "$tmp/err")"
run KVMRUN_COMPAT_CONFIG="$tmp/conf" KVMRUN_COMPAT_MODE=on
[ "$(hsr_high)" = 0x00000000 ] && ok "the environment wins over the file" || bad "env over file"
run KVMRUN_COMPAT_CONFIG="$tmp/missing.conf"
grep -q "cannot read config file $tmp/missing.conf" "$tmp/err" && [ "$(hsr_high)" = 0x00000000 ] &&
	ok "a named config file that is missing: one line, defaults" || bad "missing config: $(cat "$tmp/err")"

run KVMRUN_COMPAT_LOG="$tmp/shim.log" KVMRUN_COMPAT_LOG_LEVEL=debug
[ ! -s "$tmp/err" ] && grep -q "debug: loaded: active" "$tmp/shim.log" && ok "LOG=file: lines go to the file only" ||
	bad "log file: $(cat "$tmp/err") / $(cat "$tmp/shim.log" 2>/dev/null)"
run KVMRUN_COMPAT_LOG=relative.log
grep -q "bad value 'relative.log' for KVMRUN_COMPAT_LOG" "$tmp/err" && ok "relative log path refused" || bad "relative log"

run KVMRUN_COMPAT_STATS="$tmp/stats.json"
python3 - "$tmp/stats.json" <<'PY' && ok "stats JSON counts runs, scrub and rules" || bad "stats: $(cat "$tmp/stats.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["arch"] == "arm64", s
assert "arm64.debug.far" in s["rules"] and "arm64.flags.clear-before-run" in s["rules"], s
v = s["vcpus"][0]
assert v["id"] == 0 and v["runs"] >= 2 and v["unscrubbed_runs"] == 0, s
assert all(k.startswith("arm64.") for k in s["rules"]), s
PY
ln -s "$tmp/elsewhere" "$tmp/link.json"
run KVMRUN_COMPAT_STATS="$tmp/link.json"
[ ! -e "$tmp/elsewhere" ] && [ -L "$tmp/link.json" ] && grep -q "stats file $tmp/link.json is a symlink; not replaced" "$tmp/err" &&
	ok "stats never written through (or over) a symlink" || bad "stats symlink: $(cat "$tmp/err")"
# in a directory others can write to, our own earlier file is replaced whole
shared=$(mktemp -d); chmod 1777 "$shared"
run KVMRUN_COMPAT_STATS="$shared/s.json"
run KVMRUN_COMPAT_STATS="$shared/s.json"
[ ! -s "$tmp/err" ] && grep -q '"arm64.debug.far": ' "$shared/s.json" && [ "$(ls "$shared")" = s.json ] &&
	ok "stats in a shared directory: replaced by rename, no temporary left" || bad "shared dir: $(cat "$tmp/err") $(ls "$shared")"
rm -rf "$shared"
exit $fail

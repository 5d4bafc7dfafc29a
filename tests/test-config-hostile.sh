#!/bin/sh
# Hostile or mistaken settings: the shim never hangs on them, never writes
# into the VMM's files or over another user's, never applies a value cut
# short, and says why in one line (escaped: a value cannot forge a line).
# Each check failed against the library before these fixes.
set -eu
. "$top_srcdir/tests/lib.sh"
vmm=$top_builddir/tools/demo-vmm
scenario='mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk'
emu_env() { env LD_PRELOAD="$KVMRC_SHIM:$KVMRC_EMU" KVMEMU_PROFILE=arm64-5.10 KVMRUN_COMPAT_ARCH=arm64 \
	KVMEMU_SCENARIO="$scenario" "$@"; }
run() { # env assignments...; the demo VMM, at most 20 s; $tmp/out, $tmp/err, status $st
	st=0
	timeout 20 env LD_PRELOAD="$KVMRC_SHIM:$KVMRC_EMU" KVMEMU_PROFILE=arm64-5.10 KVMRUN_COMPAT_ARCH=arm64 \
		KVMEMU_SCENARIO="$scenario" "$@" "$vmm" >"$tmp/out" 2>"$tmp/err" || st=$?
}
hsr_high() { sed -n 's/.*hsr_high=\(0x[0-9a-f]*\).*/\1/p' "$tmp/out"; }
lines() { wc -l <"$tmp/err" | tr -d ' '; }
# the interpreter itself, not a wrapper script (pyenv) that would load the shim twice
py=$(python3 -c 'import sys; print(sys.executable)')

# --- a config or log file that is not a regular file: never blocks, never read
mkfifo "$tmp/fifo"
run KVMRUN_COMPAT_CONFIG="$tmp/fifo"
[ "$st" = 0 ] && grep -q "config file $tmp/fifo is a FIFO; not read, using defaults" "$tmp/err" &&
	[ "$(lines)" = 1 ] && [ "$(hsr_high)" = 0x00000000 ] &&
	ok "config FIFO: no hang, one line, defaults" || no "config FIFO: status $st $(cat "$tmp/err")"
run KVMRUN_COMPAT_LOG="$tmp/fifo"
[ "$st" = 0 ] && grep -q "cannot use log file $tmp/fifo: not a regular file; logging to stderr" "$tmp/err" &&
	[ "$(lines)" = 1 ] && ok "log FIFO: no hang, one line, stderr" || no "log FIFO: status $st $(cat "$tmp/err")"
run KVMRUN_COMPAT_CONFIG="$tmp"
grep -q "config file $tmp is a directory; not read" "$tmp/err" && [ "$(lines)" = 1 ] &&
	ok "config directory: one line" || no "config directory: $(cat "$tmp/err")"
run KVMRUN_COMPAT_CONFIG=/proc/self/mem
grep -q "cannot read config file /proc/self/mem: " "$tmp/err" && [ "$(lines)" = 1 ] &&
	ok "config /proc/self/mem: one line" || no "config /proc/self/mem: $(cat "$tmp/err")"
run KVMRUN_COMPAT_CONFIG="$tmp" KVMRUN_COMPAT_STRICT=1 KVMRUN_COMPAT_LOG_LEVEL=error
[ "$st" = 127 ] && grep -q "refusing to run (first: config file $tmp is a directory" "$tmp/err" &&
	ok "strict mode names what it refuses, even when warnings are off" || no "strict: $st $(cat "$tmp/err")"

# --- the config file is read whole, or not at all
{ i=0; while [ $i -lt 68 ]; do printf '# %060d\n' $i; i=$((i + 1)); done
  echo "stats = $tmp/cut-stats.json"; } >"$tmp/long.conf"
[ "$(wc -c <"$tmp/long.conf")" -gt 4200 ] || no "long.conf too short"
run KVMRUN_COMPAT_CONFIG="$tmp/long.conf"
[ -s "$tmp/cut-stats.json" ] && [ ! -s "$tmp/err" ] && ! ls "$tmp" | grep -q '^cut-s[a-z]*$' &&
	ok "a setting past byte 4095 applied whole" || no "4 KiB config: $(ls "$tmp") $(cat "$tmp/err")"
head -c 70000 /dev/zero | tr '\0' '#' >"$tmp/huge.conf"; printf '\nmode = off\n' >>"$tmp/huge.conf"
run KVMRUN_COMPAT_CONFIG="$tmp/huge.conf"
grep -q "config file $tmp/huge.conf is larger than 65536 bytes; not applied" "$tmp/err" && [ "$(lines)" = 1 ] &&
	[ "$(hsr_high)" = 0x00000000 ] && ok "a config file over 64 KiB: one line, nothing applied" ||
	no "huge config: $(hsr_high) $(cat "$tmp/err")"
long=/$(head -c 300 /dev/zero | tr '\0' 'x')
run KVMRUN_COMPAT_STATS="$long"
grep -q "value for KVMRUN_COMPAT_STATS is too long (301 bytes, at most 255); default kept" "$tmp/err" &&
	ok "a value longer than its buffer: named as too long" || no "long value: $(cat "$tmp/err")"

# --- values with control bytes are escaped: one line, never a forged one
run KVMRUN_COMPAT_LOG_LEVEL="$(printf 'loud\nkvmrun-compat[1]: error: forged')"
[ "$(lines)" = 1 ] && grep -qF "bad value 'loud\\x0akvmrun-compat[1]: error: forged' for" "$tmp/err" &&
	ok "a newline in a value is printed as \\x0a" || no "escape: $(cat "$tmp/err")"

# --- KVMRUN_COMPAT_ARCH for another architecture, without the emulator
case $(uname -m) in x86_64) other=arm64 ;; *) other=x86_64 ;; esac
st=0; env LD_PRELOAD="$KVMRC_SHIM" KVMRUN_COMPAT_ARCH=$other true 2>"$tmp/err" || st=$?
[ "$st" = 0 ] && [ "$(lines)" = 1 ] && grep -q "warning: KVMRUN_COMPAT_ARCH=$other on a .* build" "$tmp/err" &&
	ok "another architecture's rules against a real kernel: one warning" || no "arch: $(cat "$tmp/err")"

# --- a VMM that closes every fd and reopens its disk image gets no log line in it
printf 'disk image\n' >"$tmp/disk.img"; cp "$tmp/disk.img" "$tmp/disk.orig"
cat >"$tmp/closefrom.py" <<'PY'
import fcntl, os, sys
kvm = os.open("/dev/kvm", os.O_RDWR)
fcntl.ioctl(kvm, 0xAE01, 0)      # KVM_CREATE_VM: the process has KVM fds, stats are due at exit
os.closerange(3, 65536)          # closefrom(3), as VMMs do before opening their disks
fd = os.open(sys.argv[1], os.O_RDWR)
print(fd)
PY
emu_env KVMRUN_COMPAT_LOG="$tmp/shim.log" KVMRUN_COMPAT_STATS="$tmp/no-such-dir/s.json" \
	"$py" "$tmp/closefrom.py" "$tmp/disk.img" >"$tmp/out" 2>"$tmp/err" || true
cmp -s "$tmp/disk.img" "$tmp/disk.orig" && grep -q "cannot write stats to $tmp/no-such-dir/s.json" "$tmp/shim.log" &&
	ok "after closefrom(3) the log line goes to the log file, not the disk image (fd $(cat "$tmp/out"))" ||
	no "closefrom: disk: $(cat "$tmp/disk.img") log: $(cat "$tmp/shim.log" 2>&1) err: $(cat "$tmp/err")"

# --- stats: another user's file is never truncated
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	echo precious >"$tmp/theirs.json"; chown nobody "$tmp/theirs.json"
	run KVMRUN_COMPAT_STATS="$tmp/theirs.json"
	[ "$(cat "$tmp/theirs.json")" = precious ] && grep -q "stats file $tmp/theirs.json is another user's file; not replaced" "$tmp/err" &&
		ok "another user's stats file kept intact, one line" || no "theirs: '$(cat "$tmp/theirs.json")' $(cat "$tmp/err")"
else
	ok "# SKIP another user's stats file (needs root and user nobody)"
fi

# --- stats: the shell that ran the VMM does not overwrite them with zeros
# (bash runs destructors at exit; dash leaves with _exit and never did)
shell=sh; command -v bash >/dev/null && shell=bash
emu_env KVMRUN_COMPAT_STATS="$tmp/sh.json" $shell -c "\"$vmm\" >/dev/null; true" 2>"$tmp/err"
python3 - "$tmp/sh.json" <<'PY' && ok "$shell -c 'vmm; true': the VMM's stats stay" || no "$shell parent: $(cat "$tmp/sh.json") $(cat "$tmp/err")"
import json, sys
s = json.load(open(sys.argv[1]))
assert len(s["vcpus"]) == 1 and s["vcpus"][0]["runs"] >= 2, s   # the VMM's, not the shell's empty list
PY

# --- stats: a daemonizing VMM's real stats replace its parent's, even in /tmp-like directories
shared=$tmp/shared; mkdir "$shared"; chmod 1777 "$shared"
cat >"$tmp/daemon.py" <<'PY'
import fcntl, os, sys, time
stats = sys.argv[1]
kvm = os.open("/dev/kvm", os.O_RDWR)
fcntl.ioctl(kvm, 0xAE01, 0)
pid = os.fork()
if pid:
    print(pid, flush=True)
    sys.exit(0)                  # the parent writes its stats first
for _ in range(400):             # the daemon outlives it, then writes its own
    if os.path.exists(stats):
        break
    time.sleep(0.05)
sys.exit(0)
PY
child=$(emu_env KVMRUN_COMPAT_STATS="$shared/d.json" "$py" "$tmp/daemon.py" "$shared/d.json" 2>"$tmp/err")
i=0; while [ $i -lt 200 ] && ! grep -q "\"pid\": $child," "$shared/d.json" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
grep -q "\"pid\": $child," "$shared/d.json" && [ ! -s "$tmp/err" ] &&
	ok "daemonized VMM: its stats replace the parent's in a sticky directory" ||
	no "daemon: child $child $(cat "$shared/d.json") $(cat "$tmp/err")"
[ -z "$(find "$shared" -name '*.tmp')" ] && ok "no temporary file left behind" || no "tmp left: $(ls "$shared")"
finish

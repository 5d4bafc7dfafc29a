#!/bin/sh
# test-emulator.sh - the libvirt emulator wrapper (tools/deploy/emulator.in)
# without libvirt: made from the template as `make install` makes it, but
# naming the build's kvmrun-compat, a stats directory and a QEMU directory
# of this test, where a stand-in "QEMU" prints what it was given.
# make check runs it; tests/deploy/libvirt.sh runs the installed one under
# libvirtd.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${KVMRC_SHIM:?}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

mkdir -p "$tmp/qemu" "$tmp/bin" "$tmp/stats"
cat >"$tmp/qemu/qemu-system-x86_64" <<'EOF'
#!/bin/sh
echo "pid=$$"
echo "preload=$LD_PRELOAD"
echo "stats=${KVMRUN_COMPAT_STATS:-}"
for a in "$@"; do echo "arg=$a"; done
EOF
chmod +x "$tmp/qemu/qemu-system-x86_64"
sed -e "s|@pkglibexecdir[@]|$tmp/bin|g" -e "s|@bindir[@]|$top_builddir/tools|g" \
    -e "s|@sysconfdir[@]|/etc|g" -e "s|@statsdir[@]|$tmp/stats|g" -e "s|@qemubindir[@]|$tmp/qemu|g" \
    "$top_srcdir/tools/deploy/emulator.in" >"$tmp/bin/emulator"
chmod +x "$tmp/bin/emulator"
for n in qemu-system-x86_64 qemu-system-aarch64; do ln -s emulator "$tmp/bin/$n"; done
export KVMRUN_COMPAT_LIBRARY="$KVMRC_SHIM"

# what libvirt's capability probe passes, and an argument with a space
out=$("$tmp/bin/qemu-system-x86_64" -S -no-user-config -nodefaults -nographic -machine none,accel=kvm:tcg \
	-qmp unix:/var/lib/libvirt/qemu/capabilities.monitor.sock,server=on,wait=off \
	-pidfile "/tmp/a b.pid" -daemonize 2>&1)
args=$(echo "$out" | sed -n 's/^arg=//p' | tr '\n' '|')
[ "$args" = "-S|-no-user-config|-nodefaults|-nographic|-machine|none,accel=kvm:tcg|-qmp|unix:/var/lib/libvirt/qemu/capabilities.monitor.sock,server=on,wait=off|-pidfile|/tmp/a b.pid|-daemonize|" ] &&
	ok "every argument reaches QEMU unchanged (the -qmp probe)" || bad "arguments: $args ($out)"
echo "$out" | grep -q "^preload=[^:]*libkvmrun-compat" &&
	ok "the library is first in LD_PRELOAD" || bad "preload: $out"
echo "$out" | grep -qx "stats=" && ok "no -name, no stats file" || bad "stats without -name: $out"

# the same pid: libvirt watches the pid it started
"$tmp/bin/qemu-system-x86_64" -name guest=p >"$tmp/pid.out" 2>&1 &
started=$!
wait $started
grep -qx "pid=$started" "$tmp/pid.out" && ok "QEMU keeps the pid libvirt started" ||
	bad "pid $started became $(cat "$tmp/pid.out")"

# per-domain stats, from -name guest=NAME,... (a comma in NAME is doubled)
stats_for() { "$tmp/bin/qemu-system-x86_64" -name "$1" 2>&1 | sed -n 's/^stats=//p'; }
[ "$(stats_for 'guest=web-01,debug-threads=on')" = "$tmp/stats/web-01.json" ] &&
	ok "stats go to STATSDIR/<domain>.json" || bad "stats for web-01: $(stats_for 'guest=web-01,debug-threads=on')"
[ "$(stats_for 'guest=a,,b,debug-threads=on')" = "$tmp/stats/a,b.json" ] &&
	ok "a doubled comma in the name is one comma" || bad "stats for a,,b: $(stats_for 'guest=a,,b')"
for n in 'guest=../x' 'guest=.hidden' 'guest=a/b' 'guest=' 'guest=sp ace'; do
	[ -z "$(stats_for "$n")" ] && ok "no stats file for -name '$n'" || bad "stats for '$n': $(stats_for "$n")"
done
chmod 0555 "$tmp/stats"
if [ ! -w "$tmp/stats" ]; then
	[ -z "$(stats_for guest=ro)" ] && ok "no stats when the directory is not writable" || bad "stats in a read-only dir"
fi
rmdir "$tmp/stats" 2>/dev/null || { chmod 0755 "$tmp/stats"; rmdir "$tmp/stats"; }
[ -z "$(stats_for guest=web-01)" ] && ok "no stats without the directory" || bad "stats without the directory"

# refusals
"$tmp/bin/emulator" -version >/dev/null 2>"$tmp/err"; st=$?
[ $st = 125 ] && grep -q "link named like the QEMU program" "$tmp/err" &&
	ok "run under its own name: exit 125 and why" || bad "as emulator: status $st, $(cat "$tmp/err")"
"$tmp/bin/qemu-system-aarch64" -version >/dev/null 2>"$tmp/err"; st=$?
[ $st = 127 ] && grep -q "qemu-system-aarch64 not found" "$tmp/err" &&
	ok "a link whose QEMU is missing: exit 127 and why" || bad "missing QEMU: status $st, $(cat "$tmp/err")"
exit $fail

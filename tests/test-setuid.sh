#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Secure execution (AT_SECURE): the preload object installed set-user-ID in
# the system library directory (the only way glibc preloads into a setuid
# program), a setuid-root program run as nobody with every KVMRUN_COMPAT_*
# setting pointing at files: the object is loaded, and nothing is read,
# created or logged.  Needs root; skipped otherwise.
set -eu
. "$top_srcdir/tests/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root to install a set-user-ID library"
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) is not installed"
libdir=$(dirname "$(ldd /bin/cat | sed -n 's/.*libc.so.6 => \([^ ]*\).*/\1/p')")
[ -d "$libdir" ] || skip_all "no system library directory found"
name=libkvmrc-setuid-test-$$.so
cleanup_setuid() { rm -f "$libdir/$name" "$tmp/cat"; }
trap 'cleanup_setuid; rm -rf "$tmp"' EXIT
cp "$KVMRC_SHIM" "$libdir/$name" && chmod 4755 "$libdir/$name"
cp /bin/cat "$tmp/cat" && chmod 4755 "$tmp/cat"
chmod 755 "$tmp"
mkdir -m 777 "$tmp/w"
printf 'log_level = debug\nbogus line\n' >"$tmp/w/conf"
chmod 644 "$tmp/w/conf"
run() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups env LD_PRELOAD="$name" \
		KVMRUN_COMPAT_CONFIG="$tmp/w/conf" KVMRUN_COMPAT_LOG="$tmp/w/log" \
		KVMRUN_COMPAT_LOG_LEVEL=debug KVMRUN_COMPAT_STATS="$tmp/w/stats.json" \
		KVMRUN_COMPAT_STRICT=1 KVMRUN_COMPAT_ARCH=bogus KVMRUN_COMPAT_MODE=bogus \
		"$tmp/cat" /proc/self/maps >"$tmp/out" 2>"$tmp/err"
}
st=0; run || st=$?
[ $st = 0 ] && ok "the setuid program ran (strict mode and bad values did not stop it)" || no "exit status" "$st: $(cat "$tmp/err")"
grep -q "$name" "$tmp/out" && ok "the preload object was loaded into the setuid program" ||
	no "not loaded" "$(grep -c . "$tmp/out") map lines, none of $name"
[ ! -s "$tmp/err" ] && ok "nothing logged on stderr" || no "stderr" "$(cat "$tmp/err")"
[ "$(ls "$tmp/w")" = conf ] && ok "no log, stats or other file created" || no "files" "$(ls "$tmp/w")"
# control: the same run without secure execution does read and log
st=0
env LD_PRELOAD="$libdir/$name" KVMRUN_COMPAT_CONFIG="$tmp/w/conf" KVMRUN_COMPAT_LOG_LEVEL=debug \
	/bin/cat /dev/null 2>"$tmp/err2" || st=$?
grep -q "line 2" "$tmp/err2" && ok "control: without AT_SECURE the config file is read and its bad line named" ||
	no "control" "$(cat "$tmp/err2")"
finish

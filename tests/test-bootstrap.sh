#!/bin/sh
# Loaded into programs that never touch KVM, the shim prints nothing and
# changes no exit status.
set -eu
. "$top_srcdir/tests/lib.sh"
shim=$KVMRC_SHIM
check() { # expected-status command...
	want=$1; shift
	out=$(LD_PRELOAD="$shim" "$@" 2>&1) && got=0 || got=$?
	if [ "$got" != "$want" ]; then no "$*" "exit $got, expected $want"
	elif [ -n "$out" ] && [ "$1" != ls ]; then no "$*" "printed: $out"
	else ok "$* (exit $got)"; fi
}
check 0 /bin/true
check 1 /bin/false
check 0 ls /
[ "$(LD_PRELOAD="$shim" ls "$top_srcdir/shim" | sort)" = "$(ls "$top_srcdir/shim" | sort)" ] &&
	ok "ls lists the same names preloaded" || no "ls output differs preloaded"
check 0 python3 -c pass
check 3 python3 -c 'import sys; sys.exit(3)'
check 0 python3 -c '
import threading, os
def work():
    for i in range(200):
        fd = os.open("/dev/null", os.O_RDONLY); os.dup2(fd, fd + 100); os.close(fd + 100); os.close(fd)
ts = [threading.Thread(target=work) for _ in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]'
check 0 sh -c 'exec 5</dev/null; exec 6<&5; exec 5<&-; cat <&6 >/dev/null'
# fork + exec keep working with the shim inherited through the environment
check 0 sh -c 'sh -c true && /bin/true'
finish

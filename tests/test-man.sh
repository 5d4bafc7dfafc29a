#!/bin/sh
# Each man page renders without a warning from groff or man.
set -u
fail=0 n=0
if ! command -v groff >/dev/null 2>&1; then
	echo "1..0 # SKIP groff is not installed"
	exit 77
fi
for page in kvmrun-compat.1 libkvmrun-compat.3 kvmrun-compat.7; do
	f=$top_srcdir/docs/man/$page
	n=$((n + 1))
	w=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$f" 2>&1)
	if [ -n "$w" ]; then
		echo "not ok $n - groff warns on $page"; echo "$w" | sed 's/^/#   /'; fail=1
	else
		echo "ok $n - groff renders $page cleanly"
	fi
	if command -v man >/dev/null 2>&1; then
		n=$((n + 1))
		w=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$f" 2>&1 >/dev/null)
		if [ -n "$w" ]; then
			echo "not ok $n - man -l warns on $page"; echo "$w" | sed 's/^/#   /'; fail=1
		else
			echo "ok $n - man -l renders $page cleanly"
		fi
	fi
done
echo "1..$n"
exit $fail

#!/bin/sh
# Each man page renders without a warning from groff or man.
set -eu
. "$top_srcdir/tests/lib.sh"
command -v groff >/dev/null 2>&1 || skip_all "groff is not installed"
for page in kvmrun-compat.1 libkvmrun-compat.3 kvmrun-compat.7 kvmrun-emu.7; do
	f=$top_srcdir/docs/man/$page
	w=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$f" 2>&1) || true
	[ -z "$w" ] && ok "groff renders $page cleanly" || no "groff warns on $page" "$w"
	if command -v man >/dev/null 2>&1; then
		w=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$f" 2>&1 >/dev/null) || true
		[ -z "$w" ] && ok "man -l renders $page cleanly" || no "man -l warns on $page" "$w"
	fi
done
finish

#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# No call cycle between the shim's modules (issue: api -> fdtable -> stats ->
# api and caps -> kvmioctl -> caps were cycles): the graph comes from nm of
# the built objects of both libraries.  Control: two objects that call each
# other are reported.
set -eu
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is not installed"
tool=$top_srcdir/tools/module-cycles.py
objs=$(ls "$top_builddir"/shim/.libs/*_la-*.o 2>/dev/null | grep -v tests_ || true)
[ -n "$objs" ] || skip_all "no shim objects in $top_builddir/shim/.libs"
# shellcheck disable=SC2086
out=$(python3 "$tool" $objs) && ok "no call cycle between shim modules: $(echo "$out" | tail -n 1)" ||
	no "cycles between shim modules" "$out"
printf 'int b(void);\nint a(void) { return b(); }\n' >"$tmp/a.c"
printf 'int a(void);\nint b(void) { return a(); }\n' >"$tmp/b.c"
${KVMRC_CC:-cc} -c -o "$tmp/a.o" "$tmp/a.c" && ${KVMRC_CC:-cc} -c -o "$tmp/b.o" "$tmp/b.c"
out=$(python3 "$tool" "$tmp/a.o" "$tmp/b.o") && no "control: a cycle a <-> b is not reported" "$out" ||
	ok "control: a cycle a <-> b is reported ($(echo "$out" | grep cycle: | head -n 1))"
finish

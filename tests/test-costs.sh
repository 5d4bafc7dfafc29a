#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# What the shim costs a process that never touches KVM, in system calls:
# 200 shared file mappings and unmappings make at most one readlink (the
# fd's number is asked once whether it is a vCPU) and no other extra call.
set -eu
. "$top_srcdir/tests/lib.sh"
command -v strace >/dev/null || skip_all "strace is not installed"
loop=$top_builddir/tests/mmap-loop
f=$tmp/file
head -c 8192 /dev/zero >"$f"
count() { # preload: readlink calls made by 200 mappings
	LD_PRELOAD=$1 strace -f -qq -e trace=readlink,readlinkat -o "$tmp/trace" "$loop" "$f" 200 &&
		grep -c 'readlink' "$tmp/trace" || true
}
without=$(count "")
with=$(count "$KVMRC_SHIM")
[ "$without" -eq 0 ] && ok "without the shim: $without readlink calls" || no "baseline" "$without readlink calls"
[ "$with" -le 1 ] && ok "with the shim: $with readlink call(s) for 200 mappings of one fd" ||
	no "readlink per mapping" "$with readlink calls for 200 mappings"
finish

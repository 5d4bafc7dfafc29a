#!/bin/sh
# The library exports exactly the interposed libc names and the public API,
# and every API symbol carries the version node of libkvmrun-compat.sym.
set -eu
lib=$KVMRC_LIB
sym=$top_srcdir/shim/libkvmrun-compat.sym
interposed="__open64_2 __open_2 __openat64_2 __openat_2 close close_range closefrom dup dup2 dup3 fcntl fcntl64 ioctl mmap mmap64 mremap munmap open open64 openat openat64"
api=$(sed -n 's/^[[:space:]]*\(kvmrun_compat_[a-z0-9_]*\);.*/\1/p' "$sym" | sort)
expected=$(printf '%s\n' $interposed $api KVMRUN_COMPAT_0.1 | sort)
actual=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort)
if [ "$expected" != "$actual" ]; then
	echo "exported symbols differ from the intended list (-intended +actual):"
	t=$(mktemp -d); echo "$expected" >"$t/expected"; echo "$actual" >"$t/actual"
	diff -u "$t/expected" "$t/actual" || true; rm -rf "$t"
	exit 1
fi
# API names are versioned, interposed names are not (they must bind to
# references such as ioctl@GLIBC_2.2.5).
for s in $api; do
	nm -D --defined-only "$lib" | grep -q " $s@@KVMRUN_COMPAT_0.1\$" || { echo "$s is not versioned"; exit 1; }
done
for s in $interposed; do
	nm -D --defined-only "$lib" | grep -q " $s\$" || { echo "$s is versioned or missing"; exit 1; }
done
readelf -d "$lib" | grep -q 'Library soname: \[libkvmrun-compat.so.0\]' || { echo "SONAME is not libkvmrun-compat.so.0"; exit 1; }
echo "exports: $(echo "$actual" | wc -l) symbols as intended"

#!/bin/sh
# What each built object exports, checked against shim/libkvmrun-compat.sym:
#  - the link library ($KVMRC_LIB): the API, each name in its version node,
#    and nothing else (no libc name); SONAME libkvmrun-compat.so.0; it
#    resolves nothing with dlsym (it wraps no libc function);
#  - the preload object ($KVMRC_SHIM): the interposed libc names of
#    shim/libkvmrun-compat-preload.sym, unversioned (so that references such
#    as ioctl@GLIBC_2.2.5 bind to them), and nothing else; it links the
#    library (DT_NEEDED libkvmrun-compat.so.0);
#  - a program linked with `pkg-config --libs kvmrun-compat` gets ioctl from
#    libc and the API from the library; preloaded, ioctl comes from the
#    preload object and the API still from the library, which answers
#    kvmrun_compat_fail_entry_reason() from the preload's fd table.
# Controls: each export check is also run against the other object's list
# and must find a difference; the linked program is also run preloaded.
set -eu
. "$top_srcdir/tests/lib.sh"
sym=$top_srcdir/shim/libkvmrun-compat.sym
psym=$top_srcdir/shim/libkvmrun-compat-preload.sym
interposed=$(sed 's,/\*.*\*/,,; /\/\*/,/\*\//d' "$psym" | awk '/^[[:space:]]*local:/ { exit } /^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*;/ { s = $1; sub(/;.*/, "", s); print s }')
for n in ioctl mmap open close; do
	case " $(echo $interposed) " in *" $n "*) ;; *) fail_now "$n not parsed from $psym" ;; esac
done

# "name@@NODE" for each API name of the map, and each node name
api=$(sed 's,/\*.*\*/,,; /\/\*/,/\*\//d' "$sym" | awk '
	/^[A-Za-z_][A-Za-z0-9_.]*[[:space:]]*\{/ { node = $1; sub(/\{.*/, "", node); print node; next }
	/^[[:space:]]*(global|local):/ { next }
	node != "" && /^[[:space:]]*[a-z_][a-z0-9_]*;/ { s = $1; sub(/;.*/, "", s); print s "@@" node }')
[ -n "$api" ] || fail_now "no API names parsed from $sym"
lib_expected=$(printf '%s\n' $api | sort)
shim_expected=$(printf '%s\n' $interposed | sort)
exports() { nm -D --defined-only "$1" | awk '{print $3}' | sort; }

# same-list expected-list object: 0 when the object exports exactly the list
same_list() {
	actual=$(exports "$2")
	[ "$1" = "$actual" ] && return 0
	printf '%s\n' "$1" >"$tmp/expected"; printf '%s\n' "$actual" >"$tmp/actual"
	diff -u "$tmp/expected" "$tmp/actual" | grep '^[-+][^-+]' | head -20
	return 1
}
if same_list "$lib_expected" "$KVMRC_LIB" >"$tmp/d"; then ok "link library exports the API only, versioned"
else no "link library exports differ (-intended +actual)" "$(cat "$tmp/d")"; fi
if same_list "$shim_expected" "$KVMRC_SHIM" >"$tmp/d"; then ok "preload object exports the interposed libc names only"
else no "preload object exports differ (-intended +actual)" "$(cat "$tmp/d")"; fi
same_list "$shim_expected" "$KVMRC_LIB" >/dev/null &&
	no "control: the link library passes as the preload object" || ok "control: the link library is not the preload object"
same_list "$lib_expected" "$KVMRC_SHIM" >/dev/null &&
	no "control: the preload object passes as the link library" || ok "control: the preload object is not the link library"

readelf -d "$KVMRC_LIB" | grep -q 'Library soname: \[libkvmrun-compat.so.0\]' &&
	ok "SONAME libkvmrun-compat.so.0" || no "SONAME is not libkvmrun-compat.so.0"
dl=$(nm -D --undefined-only "$KVMRC_LIB" | awk '$2 ~ /^dl(v)?sym(@|$)/' )
[ -z "$dl" ] && ok "link library calls no dlsym" || no "link library calls dlsym: $dl"
nm -D --undefined-only "$KVMRC_SHIM" | awk '$2 ~ /^dl(v)?sym(@|$)/' | grep -q . &&
	ok "control: the preload object calls dlsym" || no "control: the preload object calls no dlsym"

# A program linked as pkg-config says: whose ioctl and whose API does it call?
cat >"$tmp/linked.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include "kvmrun-compat.h"
static const char *owner(const char *name)
{
	Dl_info i;
	void *p = dlsym(RTLD_DEFAULT, name);
	return p && dladdr(p, &i) && i.dli_fname ? i.dli_fname : "none";
}
int main(void)
{
	printf("version %s\n", kvmrun_compat_version());
	printf("ioctl %s\n", owner("ioctl"));
	printf("api %s\n", owner("kvmrun_compat_fail_entry_reason"));
	return 0;
}
EOF
libdir=$(dirname "$KVMRC_LIB")
pc() { PKG_CONFIG_PATH=$top_builddir pkg-config --define-variable=libdir="$libdir" \
	--define-variable=includedir="$top_srcdir/include" "$@" kvmrun-compat; }
if ! command -v pkg-config >/dev/null 2>&1; then
	no "pkg-config is not installed (tools/deps.sh installs it)"
elif ! ${KVMRC_CC:-cc} -o "$tmp/linked" "$tmp/linked.c" $(pc --cflags) $(pc --libs) -ldl >"$tmp/cc" 2>&1; then
	no "cannot build a program with pkg-config --libs kvmrun-compat" "$(cat "$tmp/cc")"
else
	LD_LIBRARY_PATH=$libdir "$tmp/linked" >"$tmp/out" 2>&1 || true
	grep -q '^ioctl .*/libc\.so' "$tmp/out" && ! grep -q '^ioctl .*kvmrun' "$tmp/out" &&
		ok "linked program: ioctl is libc's" || no "linked program: ioctl is not libc's" "$(cat "$tmp/out")"
	grep -q '^api .*/libkvmrun-compat\.so\.0$' "$tmp/out" &&
		ok "linked program: the API is the link library's" || no "linked program: API" "$(cat "$tmp/out")"
	LD_LIBRARY_PATH=$libdir LD_PRELOAD=$KVMRC_SHIM "$tmp/linked" >"$tmp/out" 2>&1 || true
	grep -q '^ioctl .*libkvmrun-compat-preload\.so$' "$tmp/out" &&
		ok "control: preloaded, ioctl is the preload object's" || no "control: preloaded ioctl" "$(cat "$tmp/out")"
	grep -q '^api .*/libkvmrun-compat\.so\.0$' "$tmp/out" &&
		ok "preloaded, the API is still the link library's" ||
		no "preloaded, the API is not the link library's" "$(cat "$tmp/out")"
fi
finish

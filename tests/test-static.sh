#!/bin/sh
# The static archive (libkvmrun-compat.a, and the musl build of it) gives the
# same bytes as the shared library, and the README's Rust FFI recipe
# (tests/static-api.rs) compiles, links it and gives them too.  The archive
# exports the API and nothing else.  Control: without the API calls the
# scripted 5.10 kernel leaves hsr_high stale.
set -eu
. "$top_srcdir/tests/lib.sh"
t=$top_builddir/tests
"$t/static-api" >"$tmp/dyn" || fail_now "static-api failed"
grep -qx 'hsr_high=0x00000000' "$tmp/dyn" && ok "shared library: hsr_high scrubbed" || no "shared: $(tail -1 "$tmp/dyn")"
"$t/static-api" --no-api | grep -qx 'hsr_high=0x000000ab' && ok "control: without the API hsr_high reads 0xab" ||
	no "control: no stale byte without the API"
check() { # name program
	if [ ! -x "$2" ]; then
		echo "# $1: not built ($(cat "$2.skip" 2>/dev/null || echo 'not configured'))"
		return
	fi
	"$2" >"$tmp/out" && cmp -s "$tmp/dyn" "$tmp/out" && ok "$1: the same bytes as the shared library" ||
		no "$1 differs" "$(diff "$tmp/dyn" "$tmp/out" | head -5)"
	"$2" --no-api | cmp -s "$tmp/dyn" - && no "control: $1 without the API gives the same bytes" ||
		ok "control: $1 without the API differs"
}
check "static glibc (libkvmrun-compat.a)" "$t/static-api-static"
file "$t/static-api-static" | grep -q 'statically linked' && ok "static-api-static is statically linked" || no "not static"
check "static musl (musl/libkvmrun-compat.a)" "$t/static-api-musl"
check "Rust recipe (rustc, -l static=kvmrun-compat)" "$t/static-api-rust"
g=$(nm -g --defined-only "$top_builddir/libkvmrun-compat.a" | awk 'NF == 3 { print $3 }' | grep -v '^kvmrun_compat_' || true)
[ -z "$g" ] && ok "the archive defines only kvmrun_compat_* globally" || no "other globals in the archive: $g"
n=$(nm -g --defined-only "$top_builddir/libkvmrun-compat.a" | grep -c ' T kvmrun_compat_')
[ "$n" -ge 10 ] && ok "control: the archive defines the API ($n functions)" || no "$n API functions"
finish

#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/realkvm/test-diff.sh - the differential check of make check-real
# (diff.awk) on a made-up console, without QEMU: it passes on consistent
# runs, and it reports each kind of violation it exists for (a kernel-written
# byte changed by the shim, an unwritten byte left non-zero, a consumed input
# left over), byte by byte, with a failing exit status.
set -eu
. "$top_srcdir/tests/lib.sh"
here=$top_srcdir/tests/realkvm

# dump SPEC: 288 bytes of hex, zero but for "BYTE=HH" or "LO-HI=HH" items
dump() {
	awk -v spec="$*" 'BEGIN {
		for (i = 0; i < 288; i++) d[i] = "00"
		n = split(spec, s, " ")
		for (j = 1; j <= n; j++) {
			split(s[j], kv, "="); r = kv[1]
			lo = r + 0; hi = (index(r, "-") ? substr(r, index(r, "-") + 1) + 0 : lo)
			for (i = lo; i <= hi; i++) d[i] = kv[2]
		}
		for (i = 0; i < 288; i++) printf "%s", d[i]
		printf "\n"
	}'
}

# One scenario "s" whose pending exit was a 4-byte MMIO read (input 40-43,
# answered 0x11); the exit writes 32-39 (0x22) and 48-52 (0x33).
H="kernel=6.1.0-50-amd64 arch=x86_64 cpu=max"
KERNEL="32-39=22 48-52=33"
console() { # shim/filled-after shim/clean-after -> console on stdout
	for shim in off on; do
		echo "RAW $H shim=$shim scenario=s before=$(dump 40-43=11 56=77)"
		if [ $shim = off ]; then
			echo "RAW $H shim=$shim scenario=s after=$(dump $KERNEL 40-43=11 56=77)"
		else
			echo "RAW $H shim=$shim scenario=s after=$2"
		fi
		echo "FILL $H shim=$shim scenario=s/fill lo=32 hi=167 inputs=40-43"
		echo "RAW $H shim=$shim scenario=s/fill before=$(dump 32-39=a5 40-43=11 44-167=a5)"
		if [ $shim = off ]; then
			echo "RAW $H shim=$shim scenario=s/fill after=$(dump 32-39=22 40-43=11 44-47=a5 48-52=33 53-167=a5)"
		else
			echo "RAW $H shim=$shim scenario=s/fill after=$1"
		fi
	done
}
check() { # name filled clean -> $tmp/out, exit status in $rc
	console "$2" "$3" >"$tmp/$1.txt"
	rc=0
	awk -v exceptions=/dev/null -f "$here/common.awk" -f "$here/diff.awk" "$tmp/$1.txt" >"$tmp/out" || rc=$?
}

good=$(dump $KERNEL)
check good "$good" "$good"
if [ $rc -eq 0 ] && tail -n 1 "$tmp/out" | grep -q '^[0-9]* passed, 0 failed$'; then
	ok "consistent runs pass"
else
	no "consistent runs pass" "$(cat "$tmp/out")"
fi
if grep -q '^diff: control .*: kernel-written byte 32 flipped in shim/filled: reported; unwritten byte 44 set to 5a: reported$' "$tmp/out"; then
	ok "the built-in control plants two violations and sees both"
else
	no "the built-in control plants two violations and sees both" "$(cat "$tmp/out")"
fi
# without the shim: filled, 136 - 13 written - 4 inputs = 119 bytes of 0xa5
# and 4 inputs left over; clean, 4 inputs left over and the VMM's byte 56
if grep -q '^x86_64  *6.1.0-50-amd64  *max  *1  *128  *0  *0  *0$' "$tmp/out"; then
	ok "stale bytes without the shim counted (119 + 4 + 4 + 1), 0 with it, 0 changed"
else
	no "stale bytes counted" "$(grep -- '6.1.0-50' "$tmp/out")"
fi

check changed "$(dump $KERNEL 33=00)" "$good"
if [ $rc -eq 1 ] && grep -q 'filled: kernel-written, changed by the shim (without/with): bytes 33 (22/00)' "$tmp/out"; then
	ok "a kernel-written byte changed by the shim is reported"
else
	no "a kernel-written byte changed by the shim is reported" "$(cat "$tmp/out")"
fi

check stale "$(dump $KERNEL 60-61=a5)" "$(dump $KERNEL 56=77)"
if [ $rc -eq 1 ] && grep -q 'filled: not written by the kernel, not 0 with the shim (without/with): bytes 60-61 (a5/a5, ...)' "$tmp/out" &&
	grep -q 'clean: not written by the kernel, not 0 with the shim (without/with): bytes 56 (77/77)' "$tmp/out"; then
	ok "unwritten bytes left non-zero by the shim are reported, filled and clean"
else
	no "unwritten bytes left non-zero by the shim are reported, filled and clean" "$(cat "$tmp/out")"
fi

check input "$good" "$(dump $KERNEL 41=11)"
if [ $rc -eq 1 ] && grep -q 'clean: input left over, not 0 with the shim (without/with): bytes 41 (11/11)' "$tmp/out"; then
	ok "a consumed input left over is reported"
else
	no "a consumed input left over is reported" "$(cat "$tmp/out")"
fi

console "$good" "$good" >"$tmp/flip.txt"
rc=0
awk -v exceptions=/dev/null -v flip=s:50 -f "$here/common.awk" -f "$here/diff.awk" "$tmp/flip.txt" >"$tmp/out" || rc=$?
if [ $rc -eq 1 ] && grep -q 'bytes 50 (33/00)' "$tmp/out"; then
	ok "KVMRC_REALKVM_DIFF_FLIP's knob (flip=SCEN:BYTE) makes the check fail"
else
	no "the flip knob makes the check fail" "$(cat "$tmp/out")"
fi
finish

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# replay.sh - a real kernel's recording played on the emulator.
#
#   replay.sh --console FILE --work DIR --top-builddir DIR --emu-compare BIN \
#             --emu LIB --shim LIB --kvmrun-compat BIN
#
# On 5.10 the realkvm VMM's run with the shim records every exit
# (KVMRUN_COMPAT_RECORD, init.c) and the guest prints the file in hex
# (REALKVM-REC lines).  Per (kernel, CPU model) this rebuilds the file and
#  1. decodes it (kvmrun-compat decode): every exit of the real run, by name;
#  2. replays it on the emulator under the shim (KVMEMU_REPLAY, the profile
#     of the same arch and release) with emu-compare, which performs the
#     VMM's actions of vmm.c: every RAW line (kvm_run before and after each
#     exit, as the VMM saw it with the shim) must be the real run's, byte for
#     byte;
#  3. replays it without the shim: the VMM must run through (its bytes are
#     the kernel's as recorded; no real run to compare them with).
# Ends with "N passed, M failed".
set -u
console= work= bd= ec= emu= shim= kc=
while [ $# -gt 0 ]; do
	case $1 in
	--console) console=$2 ;;
	--work) work=$2 ;;
	--top-builddir) bd=$2 ;;
	--emu-compare) ec=$2 ;;
	--emu) emu=$2 ;;
	--shim) shim=$2 ;;
	--kvmrun-compat) kc=$2 ;;
	*) echo "replay.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
dir=$work/replay
rm -rf "$dir" && mkdir -p "$dir"
passed=0 failed=0
pass() { echo "REPLAY ok: $*"; passed=$((passed + 1)); }
fail() { echo "REPLAY FAIL: $*"; failed=$((failed + 1)); }

recs=$(sed -n 's/^REALKVM-REC-END kernel=\([^ ]*\) cpu=\([^ ]*\) bytes=\([0-9]*\).*/\1 \2 \3/p' "$console")
if [ -z "$recs" ]; then
	echo "replay: no recording in the consoles (no 5.10 kernel booted with the shim)"
	echo "0 passed, 0 failed"
	exit 0
fi
while read -r k cpu bytes; do
	arch=$(sed -n "s/^VMMDONE kernel=$k arch=\([^ ]*\) cpu=$cpu .*/\1/p" "$console" | head -1)
	name=$arch-$k-$cpu
	rec=$dir/$name.rec
	grep "^REALKVM-REC kernel=$k cpu=$cpu hex=" "$console" | sed 's/.* hex=//' | tr -d '\n' |
		python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))' >"$rec"
	size=$(wc -c <"$rec")
	if [ -z "$arch" ] || [ "$size" != "$bytes" ] || [ "$bytes" = 0 ]; then
		fail "$name: recording of $size bytes rebuilt, the guest wrote $bytes (arch '${arch}')"
		continue
	fi
	# 1. decode
	if "$kc" decode "$rec" >"$dir/$name.txt" 2>"$dir/$name.err"; then
		n=$(grep -cE ' vcpu [0-9]+( \[#[0-9]+\])? ret ' "$dir/$name.txt")
		unnamed=$(grep -cE ' vcpu [0-9]+( \[#[0-9]+\])? ret [-0-9]+( E[A-Z0-9]+)? \?' "$dir/$name.txt")
		if [ "$unnamed" = 0 ]; then
			pass "$name: decode, $n exits of $bytes bytes, every exit named ($dir/$name.txt)"
		else
			fail "$name: decode: $unnamed exits without a name ($dir/$name.txt)"
		fi
	else
		fail "$name: decode: $(cat "$dir/$name.err")"
	fi
	# 2. replay under the shim: the VMM's RAW lines are the real run's
	mm=$(echo "$k" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
	kver=$(sed -n "s/.*UNAME kernel=$k arch=$arch .* kver=\([0-9.]*\).*/\1/p" "$console" | head -1)
	ran=$(grep -e "RESULT kernel=$k arch=$arch cpu=$cpu shim=on " -e "RAW kernel=$k arch=$arch cpu=$cpu shim=on " "$console" |
		sed -n 's/.* scenario=\([^ ]*\) .*/\1/p' | sed 's|/fill$||' | sort -u | paste -sd, -)
	for mode in on off; do
		pre=$emu
		[ $mode = on ] && pre=$shim:$emu
		LD_PRELOAD=$pre KVMEMU_PROFILE=$arch-$mm KVMEMU_REPLAY=$rec KVMRUN_COMPAT_ARCH=$arch \
			KVMRUN_COMPAT_KERNEL=${kver:-$k} timeout 60 "$ec" --arch "$arch" --kernel "$k" --real-ran "$ran" \
			>"$dir/$name-$mode.out" 2>"$dir/$name-$mode.err"
		echo "rc=$?" >>"$dir/$name-$mode.err"
	done
	norm() { sed -n "s/^RAW kernel=$k arch=$arch cpu=[^ ]* shim=on /RAW /p" "$1"; }
	grep "^RAW kernel=$k arch=$arch cpu=$cpu shim=on " "$console" | norm /dev/stdin >"$dir/$name-real.raw"
	norm "$dir/$name-on.out" >"$dir/$name-replay.raw"
	nraw=$(wc -l <"$dir/$name-real.raw")
	if [ "$nraw" -gt 0 ] && cmp -s "$dir/$name-real.raw" "$dir/$name-replay.raw"; then
		pass "$name: replayed under the shim, the VMM's $nraw RAW lines are the real run's, byte for byte"
	else
		fail "$name: replay under the shim differs from the real run ($nraw real RAW lines; diff $dir/$name-real.raw $dir/$name-replay.raw): $(diff "$dir/$name-real.raw" "$dir/$name-replay.raw" | head -4 | cut -c1-200 | tr '\n' ' ')"
	fi
	if grep -q '^RAW ' "$dir/$name-off.out" && ! grep -q 'no more recorded exits' "$dir/$name-off.err"; then
		pass "$name: replayed without the shim, $(grep -c '^RAW ' "$dir/$name-off.out") RAW lines"
	else
		fail "$name: replay without the shim: $(tail -2 "$dir/$name-off.err" | tr '\n' ' ')"
	fi
done <<<"$recs"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

#!/bin/sh
# KVMEMU_REPLAY: the emulator plays a recording's exits as the recorded
# kernel wrote them.  A run recorded under the shim, replayed under the shim
# and recorded again, gives the same kernel and shim images byte for byte
# (decode prints the same lines), and the VMM prints the same; without the
# shim the VMM sees the kernel's bytes.  Controls: a changed byte of the
# recording changes the replay; a recording of another architecture, or a
# truncated one, is refused with one line.
set -eu
. "$top_srcdir/tests/lib.sh"
kc=$top_builddir/tools/kvmrun-compat
vmm=$top_builddir/tools/demo-vmm
scenario='mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk; debug ec=watchpt far=0x1000; system_event type=reset'
run() { # profile env... -- command
	p=$1; shift
	env KVMRUN_COMPAT_LIBRARY="$KVMRC_SHIM" LD_PRELOAD="$KVMRC_EMU" KVMEMU_PROFILE="$p" \
		KVMRUN_COMPAT_KERNEL=5.10.0 KVMRUN_COMPAT_ARCH=arm64 "$@"; }
strip() { sed -e 's/^ *[0-9.]* vcpu/vcpu/' -e 's/pid [0-9]*/pid P/' "$1"; }

# the original: a scenario on the 5.10 profile, recorded under the shim
run arm64-5.10 KVMEMU_SCENARIO="$scenario" "$kc" --record "$tmp/orig.rec" "$vmm" >"$tmp/orig.out" 2>&1
"$kc" decode "$tmp/orig.rec" >"$tmp/orig.txt"
# the replay, under the shim, recorded again (no scenario: the recording is the kernel)
run arm64-5.10 KVMEMU_REPLAY="$tmp/orig.rec" "$kc" --record "$tmp/again.rec" "$vmm" >"$tmp/again.out" 2>&1
"$kc" decode "$tmp/again.rec" >"$tmp/again.txt"
strip "$tmp/orig.txt" >"$tmp/a"; strip "$tmp/again.txt" >"$tmp/b"
[ "$(grep -c '^vcpu 0 ret ' "$tmp/a")" = 4 ] && cmp -s "$tmp/a" "$tmp/b" &&
	ok "replay under the shim: the same 4 exits, kernel and shim bytes alike (decode identical)" ||
	no "replay differs" "$(diff "$tmp/a" "$tmp/b")"
# every exit record byte for byte but its time: vCPU, results, both images
exits() { python3 - "$1" <<'PY'
import sys, struct
b = open(sys.argv[1], 'rb').read()
at = 0
while at < len(b):
    size = struct.unpack_from('<H', b, at + (10 if b[at] == ord('K') else 2))[0]
    if b[at] == ord('E'):
        print((b[at:at + 24] + b[at + 32:at + size]).hex())
    at += size
PY
}
exits "$tmp/orig.rec" >"$tmp/ea"; exits "$tmp/again.rec" >"$tmp/eb"
[ "$(wc -l <"$tmp/ea")" = 4 ] && cmp -s "$tmp/ea" "$tmp/eb" &&
	ok "replay under the shim: every exit record identical but for its time" ||
	no "exit records differ" "$(diff "$tmp/ea" "$tmp/eb")"
cmp -s "$tmp/orig.out" "$tmp/again.out" && grep -q '^exit=debug hsr=0xf2000000 hsr_high=0x00000000' "$tmp/again.out" &&
	ok "the VMM prints the same under the replay as under the scenario" ||
	no "VMM output differs" "$(diff "$tmp/orig.out" "$tmp/again.out")"

# without the shim: the kernel's bytes as recorded (over the page the shim had cleared)
env LD_PRELOAD="$KVMRC_EMU" KVMEMU_PROFILE=arm64-5.10 KVMEMU_REPLAY="$tmp/orig.rec" "$vmm" >"$tmp/noshim.out" 2>&1 || true
grep -q '^exit=debug hsr=0xf2000000 hsr_high=0x00000000 far=0x0000000000000000' "$tmp/noshim.out" &&
	ok "replay without the shim: the VMM sees the kernel's bytes of the recording" ||
	no "replay without the shim" "$(cat "$tmp/noshim.out")"

# control: one changed kernel byte (of hsr, the BRK exit's ESR) shows in the replay
python3 - "$tmp/orig.rec" "$tmp/bad.rec" <<'PY'
import sys, struct
b = bytearray(open(sys.argv[1], 'rb').read())
at = struct.unpack_from('<H', b, 10)[0]
n = 0
while at < len(b):
    size = struct.unpack_from('<H', b, at + 2)[0]
    if b[at] == ord('E'):
        n += 1
        if n == 2:  # the BRK: hsr is bytes 32-35 of the kernel image
            b[at + 44 + 33] ^= 0x01
    at += size
open(sys.argv[2], 'wb').write(b)
PY
env LD_PRELOAD="$KVMRC_EMU" KVMEMU_PROFILE=arm64-5.10 KVMEMU_REPLAY="$tmp/bad.rec" "$vmm" >"$tmp/bad.out" 2>&1 || true
grep -q '^exit=debug hsr=0xf2000100 ' "$tmp/bad.out" &&
	ok "control: a byte changed in the recording is what the VMM reads in the replay" ||
	no "control: changed byte" "$(cat "$tmp/bad.out")"

# refused: another architecture, a truncated file
st=0; env LD_PRELOAD="$KVMRC_EMU" KVMEMU_PROFILE=x86_64-5.10 KVMEMU_REPLAY="$tmp/orig.rec" "$vmm" >"$tmp/o" 2>"$tmp/e" || st=$?
grep -q 'KVMEMU_REPLAY .*a recording of architecture 2, not of the profile x86_64-5.10' "$tmp/e" &&
	ok "another architecture's recording: one line" || no "arch mismatch" "status $st" "$(cat "$tmp/o" "$tmp/e")"
head -c 100 "$tmp/orig.rec" >"$tmp/short.rec"
env LD_PRELOAD="$KVMRC_EMU" KVMEMU_PROFILE=arm64-5.10 KVMEMU_REPLAY="$tmp/short.rec" "$vmm" >"$tmp/o" 2>"$tmp/e" || true
grep -q 'KVMEMU_REPLAY .*truncated' "$tmp/e" && ok "truncated recording: refused, one line" ||
	no "truncated" "$(cat "$tmp/o" "$tmp/e")"
finish

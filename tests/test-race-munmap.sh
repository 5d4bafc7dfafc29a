#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A new kvm_run mapped at the address another vCPU's just left, between the
# real munmap and the layer above it (tests/fake-munmap.c forces that
# interleaving): the new vCPU's exits are still sanitized.  Control: without
# the shim the stale byte shows.
set -eu
. "$top_srcdir/tests/lib.sh"
fake=$top_builddir/tests/.libs/libfake-munmap.so
prog=$top_builddir/tests/race-munmap
run() { LD_PRELOAD=$1 KVMEMU_PROFILE=arm64-5.10 KVMRUN_COMPAT_ARCH=arm64 "$prog"; }
st=0; out=$(run "$KVMRC_SHIM:$fake:$KVMRC_EMU") || st=$?
[ $st = 0 ] && ok "with the shim: $out" || no "with the shim (exit $st)" "$out"
st=0; out=$(run "$fake:$KVMRC_EMU") || st=$?
[ $st = 1 ] && ok "control, without the shim: $out" || no "control without the shim (exit $st)" "$out"
finish

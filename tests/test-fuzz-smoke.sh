#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A short run of the libFuzzer target (tests/fuzz/fuzz-engine.c): 200000
# executions.  Skipped (77) when clang was not found at configure time.
set -eu
. "$top_srcdir/tests/lib.sh"
bin=$top_builddir/tests/fuzz/fuzz-engine
[ -x "$bin" ] || skip_all "no clang (FUZZ_CC), $bin not built"
log=$top_builddir/tests/fuzz/smoke.log
rc=0
"$bin" -runs=200000 -max_len=2404 -seed=1 -print_final_stats=1 \
	-artifact_prefix="$top_builddir/tests/fuzz/" >"$log" 2>&1 || rc=$?
n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
[ $rc -eq 0 ] && [ "${n:-0}" -ge 200000 ] && ok "fuzz smoke: ${n:-0} executions, exit $rc" ||
	no "fuzz smoke: ${n:-0} executions, exit $rc" "$(tail -20 "$log")"
finish

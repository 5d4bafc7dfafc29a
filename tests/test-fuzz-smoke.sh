#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A short run of the libFuzzer target (tests/fuzz/fuzz-engine.c): 200000
# executions.  Skipped (77) when clang was not found at configure time.
set -eu
. "$top_srcdir/tests/lib.sh"
[ -x "$top_builddir/tests/fuzz/fuzz-engine" ] || skip_all "no clang (FUZZ_CC), the fuzz targets are not built"
# the scrub target runs sequences of exits per input, the record target
# decodes each input twice: fewer, longer runs
for t in engine:200000 scrub:20000 record:20000; do
	runs=${t#*:} t=${t%%:*}
	bin=$top_builddir/tests/fuzz/fuzz-$t
	log=$top_builddir/tests/fuzz/smoke-$t.log
	rc=0
	"$bin" -runs=$runs -max_len=2404 -seed=1 -print_final_stats=1 \
		-artifact_prefix="$top_builddir/tests/fuzz/" >"$log" 2>&1 || rc=$?
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	[ $rc -eq 0 ] && [ "${n:-0}" -ge "$runs" ] && ok "fuzz-$t smoke: ${n:-0} executions, exit $rc" ||
		no "fuzz-$t smoke: ${n:-0} executions, exit $rc" "$(tail -20 "$log")"
done
finish

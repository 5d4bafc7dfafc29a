#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/fuzz/run.sh BINARY SECONDS WORKERS - run the libFuzzer target in
# WORKERS processes (one per core) for SECONDS each, then print the total
# number of executions and the rate.  Exit status 1 on any finding.
set -u
bin=$1 secs=${2:-120} workers=${3:-2}
dir=$(dirname "$bin")
[ -x "$bin" ] || { echo "fuzz: $bin not built (needs clang: apt-get install -y clang)"; exit 1; }
pids=
i=1
while [ "$i" -le "$workers" ]; do
	mkdir -p "$dir/corpus-$i"
	"$bin" -max_total_time="$secs" -max_len=2404 -print_final_stats=1 -seed="$i" \
		-artifact_prefix="$dir/" "$dir/corpus-$i" >"$dir/fuzz-$i.log" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
rc=0
for p in $pids; do
	wait "$p" || rc=1
done
total=0 rate=0
i=1
while [ "$i" -le "$workers" ]; do
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz-$i.log")
	r=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/fuzz-$i.log")
	total=$((total + ${n:-0}))
	rate=$((rate + ${r:-0}))
	if grep -q 'fuzz-engine:\|fuzz-record:\|ERROR: libFuzzer\|ERROR: AddressSanitizer\|runtime error' "$dir/fuzz-$i.log"; then
		grep -m3 'fuzz-engine:\|ERROR\|runtime error' "$dir/fuzz-$i.log"
		rc=1
	fi
	i=$((i + 1))
done
echo "fuzz: $workers workers x ${secs} s: $total executions, $rate exec/s, $([ $rc -eq 0 ] && echo 'no finding' || echo 'FINDING (see' "$dir"/fuzz-*.log ')')"
exit $rc

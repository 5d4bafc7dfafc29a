# SPDX-License-Identifier: LGPL-2.1-or-later
# bench.awk - what supervisor mode costs per KVM_RUN on the real kernels, from
# the serial consoles (run.sh step 5g).  On the max CPU model of each kernel
# init.c ran tools/bench-supervise (one exit per KVM_RUN: x86_64 IO, arm64
# MMIO write) plainly, under the preload and under kvmrun-compat --supervise,
# with 1 and 2 vCPU threads, and the pipe round trip between two processes in
# the same boot, in rounds, one REALKVM-BENCH line each with the median.  This
# prints one table row per kernel and thread count: us per KVM_RUN of each mode, what the supervisor
# adds, and that as a multiple of the boot's pipe round trip.  A report, not
# a check of speed: a boot fails only when a line is missing or malformed
# (or its run failed), or when a kernel that booted with the shim has no
# boot with the lines (its max boot failed); REALKVM-BENCH-SKIP (no program
# built) is reported as skipped.  Ends with "N passed, M failed".
#   awk -f common.awk -f bench.awk console.txt
BEGIN {
	nwant = split("pipe/0 plain/1 preload/1 supervised/1 plain/2 supervised/2", want, " ")
	printf "bench: supervisor mode on real KVM nested in TCG, us per KVM_RUN (median of the rounds of one boot; a report, not a check of speed)\n"
	printf "bench: %-26s %-7s %3s %9s %9s %10s %9s %9s %9s\n", "kernel", "arch", "thr", "plain", "preload",
		"supervised", "added", "/pipe rtt", "pipe rtt"
}
function bad(what) { failed++; print "BENCH-FAIL: " kernel ": " what }
function num(x) { return x ~ /^[0-9]+(\.[0-9]+)?$/ && x + 0 > 0 }
function row(t,   p, s, pre) {
	p = us["plain/" t]; s = us["supervised/" t]; pre = (("preload/" t) in us) ? us["preload/" t] : "-"
	printf "bench: %-26s %-7s %3d %9s %9s %10s %+9.1f %9.1f %9s\n", kernel, arch, t, p, pre, s, s - p,
		(s - p) / us["pipe/0"], us["pipe/0"]
}
function flush(   i, miss) {
	if (kernel == "")
		return
	if (nlines || skip || maxshim) covered[kernel] = 1 # judged below
	if (skip) {
		print "bench skipped: " kernel ": " skip
	} else if (maxshim || nlines) {
		miss = ""
		for (i = 1; i <= nwant; i++)
			if (!(want[i] in us)) miss = miss " " want[i]
		if (malformed != "")
			bad("malformed or failed line(s):" malformed)
		else if (miss != "")
			bad("no REALKVM-BENCH line for" miss (maxshim ? "" : " (no max boot with the shim seen)"))
		else {
			passed++
			row(1)
			row(2)
			if (ms != "") printf "bench: %-26s the runs took %.1f s of the boot\n", kernel, ms / 1000
		}
	}
	kernel = ""
}
{
	sub(/\r$/, "")
	if (match($0, /(REALKVM-[A-Z-]+|VMMDONE) /) && RSTART > 1)
		$0 = substr($0, RSTART)
}
/^REALKVM-BOOT / { flush(); kernel = kv($0, "kernel"); maxshim = nlines = 0; skip = malformed = ms = arch = ""
	split("", us); next }
/^VMMDONE / && kv($0, "shim") == "on" { booted[kernel] = 1; if (kv($0, "cpu") == "max") maxshim = 1; next }
/^REALKVM-BENCH-SKIP / { skip = substr($0, index($0, ": ") + 2); next }
/^REALKVM-BENCH-END / { ms = kv($0, "ms"); next }
/^REALKVM-BENCH / {
	nlines++
	k = kv($0, "mode") "/" kv($0, "threads")
	if (arch == "") arch = kv($0, "arch")
	if (kv($0, "kernel") != kernel || kv($0, "status") != "0" || !num(kv($0, "us")) || k in us)
		malformed = malformed " " k
	else
		us[k] = kv($0, "us")
	next
}
/^REALKVM-END / { flush() }
END {
	flush()
	for (kernel in booted)
		if (!(kernel in covered)) bad("booted with the shim, but no boot of it printed REALKVM-BENCH lines (max CPU model)")
	print passed + 0 " passed, " failed + 0 " failed"
}

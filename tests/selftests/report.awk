# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/selftests/report.awk - judges the consoles of run.sh (ST- lines of
# st-init.c, one ST-LOG section per kernel and arch).
#
# Per test, the last pair decides: the same status without and with the shim
# on the first try is "same"; different, then the same on the rerun, is
# "flaky"; different twice the same way is "different" (a failure), different
# twice the other way round (the test failed once without the shim) is "flaky".  A test that took the
# L1 kernel down (oops, or a console silent past the test's timeout) is
# rerun in a fresh boot before it is judged; if it takes the kernel down again
# it is listed as "oops"/"hang".  Tests with the same non-zero status both
# times are environment limits and are listed with the reason they printed.
# A CONTROL pair (the deliberately wrong preload) must differ.  The shim must
# log nothing, and its stats must show KVM_RUNs for the tests that ran a vCPU.

function fail(msg) { printf "FAIL: %s\n", msg; failures++ }
function kv(    i, x) { delete f; for (i = 2; i <= NF; i++) { split($i, x, "="); f[x[1]] = x[2] } }
# st-init.c's statuses: the exit code, 256 + signal, 512 at the timeout; 4 is KSFT_SKIP
function stname(s) { return s == 4 ? "skip" : s == 512 ? "timeout" : s > 256 ? "signal " (s - 256) : "exit " s }

/^ST-LOG / {
	kv(); arch = f["arch"]; ser = f["series"]; sec = arch SUBSEP ser
	logs[++nlogs] = sec; kern[sec] = f["kernel"]; src[sec] = f["source"]; cur = ""; running = ""
	next
}
sec == "" { next }
/^ST-NOTBUILT / { notbuilt[sec] = notbuilt[sec] " " $2; next }
/ST-NOKVM/ { nokvm[sec] = 1; next }
/ST-L1-END/ { ended[sec] = 1; next }
/^ST-L1-EXIT / { kv(); l1rc[sec] = f["rc"]; l1secs[sec] = f["seconds"]; next }
/^ST-L1-RESTART / { restarts[sec]++; next }
/^ST-L1-OOPS/ { if (running != "") { oopsed[sec, running]++; events[sec] = events[sec] "\n    oops during " running }; next }
/^ST-L1-STALL/ { if (running != "") { hung[sec, running]++; events[sec] = events[sec] "\n    L1 silent (hang) during " running }; next }
/^ST-GIVEUP / { kv(); gaveup[sec, f["index"]] = 1; next }
/(Internal error: |Oops[:]|BUG: |Kernel panic|general protection fault|WARNING: CPU: )/ {
	if (running != "" && !(sec SUBSEP running in oopstext)) oopstext[sec, running] = $0
	next
}
# a test is keyed by its name, a control by "control " name (the same test
# may run as both); the pairs, runs and events that follow are the running one's
/^ST-TEST / {
	kv(); running = (f["kind"] == "CONTROL" ? "control " : "") f["test"]
	if (!((sec, running) in seen)) { seen[sec, running] = 1; order[sec, ++ntests[sec]] = running; kind[sec, running] = f["kind"] }
	next
}
/^ST-BEGIN / { kv(); cur = running SUBSEP f["shim"]; next }
/^ST-STATS / && cur != "" {
	if (match($0, /"(retired_)?runs": [0-9]+/)) { v = substr($0, RSTART, RLENGTH); sub(/.*: /, "", v); runs[sec, cur] += v }
	next
}
/^ST-SHIMLOG / && cur != "" { shimlog[sec, cur] = shimlog[sec, cur] substr($0, 12) "\n"; next }
/^ST-END / { kv(); secs[sec, running, f["shim"]] += f["seconds"]; cur = ""; next }
/^ST-PAIR / {
	kv(); t = running
	pl[sec, t, f["try"]] = f["plain"]; sh[sec, t, f["try"]] = f["shim"]
	if (f["try"] > last[sec, t]) last[sec, t] = f["try"]
	delete reason[sec, t]
	lastpair = t
	next
}
/^ST-OUT-OFF / { reason[sec, lastpair] = substr($0, 12); next }

END {
	total_fail_before = 0
	for (li = 1; li <= nlogs; li++) {
		sec = logs[li]; split(sec, y, SUBSEP); arch = y[1]; k = kern[sec]
		T = 0; S = 0; D = 0; F = 0; H = 0; ctl = 0; limits = ""; down = ""
		if (nokvm[sec]) fail(k " " arch ": no /dev/kvm in the L1 guest")
		if (!ended[sec]) fail(k " " arch ": the L1 guest did not finish (rc=" l1rc[sec] ")")
		printf "== %s %s (selftests of linux-source %s)\n", k, arch, src[sec]
		for (i = 1; i <= ntests[sec]; i++) {
			t = order[sec, i]; n = last[sec, t]
			if (kind[sec, t] == "CONTROL") {
				ctl++
				if (n == "") { fail(k " " arch " " t ": not run"); continue }
				if (pl[sec, t, n] == sh[sec, t, n])
					fail(k " " arch " " t ": the preload that erases kernel-written exit data went unnoticed (" stname(pl[sec, t, n]) " both)")
				else
					printf "  %-44s plain %-9s zeroexit %-9s different (as it must be)\n", t, stname(pl[sec, t, n]), stname(sh[sec, t, n])
				continue
			}
			T++
			if (n == "") {
				if (oopsed[sec, t] || hung[sec, t]) {
					H++
					down = down sprintf("\n    %s: %s twice%s", t, oopsed[sec, t] ? "L1 kernel oops" : "L1 hang",
						(sec SUBSEP t in oopstext) ? " (" oopstext[sec, t] ")" : "")
				} else fail(k " " arch " " t ": not run")
				continue
			}
			p = pl[sec, t, n]; s = sh[sec, t, n]
			p1 = pl[sec, t, 1]; s1 = sh[sec, t, 1]
			# different the same way twice is the shim's doing; a pair whose
			# failing side changes between tries (the test failed without the
			# shim once) is the test's own flakiness
			if (p != s && (n == 1 || (p1 == p && s1 == s))) { D++; v = "DIFFERENT"
				fail(k " " arch " " t ": without the shim " stname(p) ", with the shim " stname(s) ", on both tries") }
			else if (p != s) { F++; v = "flaky (" stname(p1) "/" stname(s1) " first, " stname(p) "/" stname(s) " then: differed both ways)" }
			else if (n > 1) { F++; v = "flaky (" stname(pl[sec, t, 1]) "/" stname(sh[sec, t, 1]) " first)" }
			else { S++; v = "same" }
			if (p == s && p != 0)
				limits = limits sprintf("\n    %s: %s%s", t, stname(p), reason[sec, t] != "" ? ": " reason[sec, t] : "")
			on = t SUBSEP "on"
			if (shimlog[sec, on] != "") fail(k " " arch " " t ": the shim logged: " shimlog[sec, on])
			if (oopsed[sec, t] || hung[sec, t])
				v = v sprintf(" (after %s, rerun)", oopsed[sec, t] ? "an L1 oops" : "an L1 hang")
			printf "  %-44s %-9s %-9s %-9s KVM_RUN=%-7d %5.1fs/%5.1fs\n", t, stname(p), stname(s), v,
				runs[sec, on], secs[sec, t, "off"], secs[sec, t, "on"]
			allruns[sec] += runs[sec, on]
		}
		if (ctl == 0 && ENVIRON["KVMRC_SELFTESTS_CONTROL"] != "off") fail(k " " arch ": no control ran")
		if (T > 0 && allruns[sec] == 0) fail(k " " arch ": the shim's stats show no KVM_RUN in any test")
		if (notbuilt[sec] != "") printf "  not built from this source:%s\n", notbuilt[sec]
		if (limits != "") printf "  environment limits (the same status without and with the shim):%s\n", limits
		if (events[sec] != "") printf "  L1 events (the guest was booted again, the pair rerun):%s\n", events[sec]
		if (down != "") printf "  took the L1 kernel down twice, not judged:%s\n", down
		printf "selftests: %s %s: %d tests, %d same, %d different, %d flaky%s\n", k, arch, T, S, D, F,
			H ? sprintf(" (%d took the L1 kernel down, not judged)", H) : ""
	}
	printf "selftests: %d failure(s)\n", failures
	exit failures > 0
}

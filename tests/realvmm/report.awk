# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/realvmm/report.awk - judge the realvmm consoles (run.sh's console.txt:
# "RV-LOG arch= pkg=" then that L1 guest's serial console).  For every
# configuration in `configs` the last try of its pair counts: the L2 console
# (timestamps stripped), the virtio console, QEMU's stderr and exit status
# must be identical without and with the shim, the L2 guest must have reached
# its end marker, and the shim's stats must show vCPUs and KVM_RUNs.  The
# control (a broken preload) must come out different.  Prints per kernel:
#   real-vmm: <kernel> <arch> qemu: N boots, N identical, N different
# and exits 1 on any failure.

function fail(msg) { print "FAIL: " msg; failures++ }

/^RV-LOG / {
	split($2, x, "="); arch = x[2]; split($3, x, "="); pkg = x[2]
	logs[++nlogs] = arch SUBSEP pkg
	kern[arch, pkg] = pkg; sub(/^linux-image-/, "", kern[arch, pkg])
	next
}
{ sub(/\r$/, "") }
/RV-L1-BEGIN / { for (i = 1; i <= NF; i++) if ($i ~ /^kernel=/) kern[arch, pkg] = substr($i, 8) }
/RV-L1-END / { ended[arch, pkg] = 1 }
/RV-NOKVM / { nokvm[arch, pkg] = 1 }
/^RV-L1-STALL / { stalls[arch, pkg]++ }
/^RV-L1-EXIT / { for (i = 2; i <= NF; i++) if ($i ~ /^rc=/) l1rc[arch, pkg] = substr($i, 4) }
/RV-BEGIN / {
	cur = ""
	for (i = 1; i <= NF; i++) { split($i, x, "="); f[x[1]] = x[2] }
	cur = arch SUBSEP pkg SUBSEP f["cfg"] SUBSEP f["try"] SUBSEP f["shim"]
	text[cur] = ""; err[cur] = ""; vcpus[cur] = 0; runs[cur] = 0; rules[cur] = ""; l2end[cur] = 0
	kept[cur] = 0; has_kept[cur] = 0; unscrubbed[cur] = 0
	stats_seen[cur] = 0; in_rules = 0
	next
}
/RV-OUT / && cur != "" {
	l = substr($0, index($0, "RV-OUT ") + 7)
	sub(/^\[ *[0-9]+\.[0-9]+\] ?/, "", l)
	text[cur] = text[cur] l "\n"
	if (l ~ /^REALVMM-L2-END /) l2end[cur] = 1
	next
}
/RV-HVC / && cur != "" { text[cur] = text[cur] "hvc: " substr($0, index($0, "RV-HVC ") + 7) "\n"; next }
/RV-ERR / && cur != "" { err[cur] = err[cur] substr($0, index($0, "RV-ERR ") + 7) "\n"; next }
/RV-STATS / && cur != "" {
	l = substr($0, index($0, "RV-STATS ") + 9)
	stats_seen[cur] = 1
	if (l ~ /^ *\{"id": /) {
		vcpus[cur]++
		if (match(l, /"runs": [0-9]+/)) runs[cur] += substr(l, RSTART + 8, RLENGTH - 8)
		if (match(l, /"kept_bytes_cleared": [0-9]+/)) { kept[cur] += substr(l, RSTART + 22, RLENGTH - 22); has_kept[cur] = 1 }
		if (match(l, /"unscrubbed_runs": [0-9]+/)) unscrubbed[cur] += substr(l, RSTART + 19, RLENGTH - 19)
	} else if (l ~ /"retired_vcpus": /) {
		v = l; gsub(/[^0-9]/, "", v); vcpus[cur] += v
	} else if (l ~ /"retired_runs": /) {
		v = l; gsub(/[^0-9]/, "", v); runs[cur] += v
	} else if (l ~ /^  "rules": \{/) {
		in_rules = 1
	} else if (in_rules && l ~ /^    "[^"]+": [0-9]+,?$/) {
		split(l, x, "\""); v = l; sub(/.*: /, "", v); sub(/,$/, "", v)
		if (v + 0 > 0) rules[cur] = rules[cur] " " x[2] "=" v
	} else if (l ~ /^  \}/) {
		in_rules = 0
	}
	next
}
/RV-END / && cur != "" {
	for (i = 1; i <= NF; i++) { split($i, x, "="); f[x[1]] = x[2] }
	status[cur] = f["status"]; tmo[cur] = f["timeout"]; secs[cur] = f["seconds"]
	cur = ""
	next
}
/RV-PAIR / {
	for (i = 1; i <= NF; i++) { split($i, x, "="); f[x[1]] = x[2] }
	last[arch, pkg, f["cfg"]] = f["try"]
	if (f["try"] > 1) reruns[arch, pkg]++
	next
}

function same(a, b) {
	return text[a] == text[b] && err[a] == err[b] && status[a] == status[b] && tmo[a] != 1 && tmo[b] != 1
}

END {
	n = split(configs " wrapper", cfgs, " ")
	for (li = 1; li <= nlogs; li++) {
		split(logs[li], y, SUBSEP); arch = y[1]; pkg = y[2]; k = kern[arch, pkg]
		boots = 0; ident = 0; diff = 0
		if (nokvm[arch, pkg]) fail(k " " arch ": no /dev/kvm in the L1 guest")
		if (!ended[arch, pkg]) fail(k " " arch ": the L1 guest did not finish (rc=" l1rc[arch, pkg] ")")
		for (c = 1; c <= n; c++) {
			cfg = cfgs[c]; t = last[arch, pkg, cfg]
			if (t == "" && cfg == "wrapper") continue # only on some kernels
			if (t == "") { fail(k " " arch " " cfg ": not run"); continue }
			off = arch SUBSEP pkg SUBSEP cfg SUBSEP t SUBSEP "off"
			on = arch SUBSEP pkg SUBSEP cfg SUBSEP t SUBSEP "on"
			boots++
			if (same(off, on)) ident++
			else {
				diff++
				fail(k " " arch " " cfg " (try " t "): without the shim status=" status[off] \
				     " timeout=" tmo[off] ", with the shim status=" status[on] " timeout=" tmo[on] \
				     (text[off] != text[on] ? ", the consoles differ" : "") \
				     (err[off] != err[on] ? ", stderr differs: " err[on] : ""))
			}
			if (!l2end[off]) fail(k " " arch " " cfg ": the L2 guest did not reach its end marker")
			if (err[on] ~ /kvmrun/) fail(k " " arch " " cfg ": the shim logged: " err[on])
			if (!stats_seen[on] || vcpus[on] < 1 || runs[on] < 1)
				fail(k " " arch " " cfg ": no vCPU or KVM_RUN in the shim's stats")
			printf "  %s %s %-8s %5.1fs/%5.1fs  vcpus=%d KVM_RUN=%d%s rules:%s\n", k, arch, cfg,
				secs[off], secs[on], vcpus[on], runs[on],
				has_kept[on] ? " kept_bytes_cleared=" kept[on] " unscrubbed_runs=" unscrubbed[on] : "",
				rules[on] == "" ? " none" : rules[on]
		}
		t = last[arch, pkg, "control"]
		if (t != "") {
			off = arch SUBSEP pkg SUBSEP "control" SUBSEP t SUBSEP "off"
			bad = arch SUBSEP pkg SUBSEP "control" SUBSEP t SUBSEP "bad"
			if (same(off, bad)) fail(k " " arch " control: a preload that zeroes MMIO read data went unnoticed")
			else printf "  %s %s control: the broken preload (MMIO reads zeroed) is told apart: different\n", k, arch
		}
		note = reruns[arch, pkg] ? reruns[arch, pkg] " pair(s) rerun" : ""
		if (stalls[arch, pkg]) note = note (note == "" ? "" : ", ") "L1 guest wedged and restarted " stalls[arch, pkg] "x"
		printf "real-vmm: %s %s qemu: %d boots, %d identical, %d different%s\n", k, arch, boots, ident, diff,
			note == "" ? "" : " (" note ")"
	}
	printf "real-vmm: %d failure(s)\n", failures
	exit failures > 0
}

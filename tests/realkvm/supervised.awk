# SPDX-License-Identifier: LGPL-2.1-or-later
# supervised.awk - supervisor mode on real kernels, from the serial consoles:
# in each boot the static build of the VMM ran under kvmrun-compat, which
# supervised it (lines prefixed SUPVMM by init.c); every line it printed must
# (first space written "_", see init.c) be the line the dynamic build printed
# under the preload (shim=on, before
# REALKVM-VMM-EXIT shim=on), and differ from the run without the shim (the
# control: the comparison can fail).  The "shim" field is not compared (the
# static VMM sees no LD_PRELOAD).  A boot without a supervised run is
# reported as skipped.
# On the max CPU model the same static VMM also ran its scenarios under a
# Firecracker-style seccomp filter of its own (vmm <cpu> filter, vmm-filter.c;
# lines prefixed SUPFC): the same comparison; and, as the control that the
# VMM's filter still acts under the supervisor, a call it forbids (prefix
# SUPFCX) must end the VMM with its SIGSYS line and status 148.
# Ends with "N passed, M failed".
#   awk -f common.awk -f supervised.awk console.txt
function check(ok, what) {
	if (ok) { passed++; print "SUPERVISED ok: " what }
	else { failed++; print "SUPERVISED-FAIL: " what }
}
function norm(l) { sub(/ shim=o[nf]+/, " shim=-", l); return l }
# compare run t (n[t] lines in L[t, i]) with the preloaded and unshimmed runs
function compare(t, what, status,   i, same, diffoff, first) {
	same = (n[t] == non)
	for (i = 1; i <= non && i <= n[t]; i++)
		if (on[i] != L[t, i]) { same = 0; if (first == "") first = "line " i ": preload '" on[i] "' supervised '" L[t, i] "'" }
	if (first == "" && n[t] != non) first = non " lines preloaded, " n[t] " supervised"
	diffoff = (noff != n[t])
	for (i = 1; i <= noff && i <= n[t]; i++)
		if (off[i] != L[t, i]) diffoff = 1
	check(same && non > 0, kernel " " arch " " cpu ": " what " supervised = dynamic VMM preloaded (" n[t] \
	      " lines, status " status ", switch line " (sw[t] ? "yes" : "no") ")" (first != "" ? ": " first : ""))
	check(diffoff && sw[t], kernel " " arch " " cpu ": " what ": control: the run without the shim differs")
}
function flush() {
	if (kernel == "")
		return
	if (!n["SUPVMM"]) {
		print "SUPERVISED skipped: " kernel " " cpu ": no supervised run in this boot"
		kernel = ""
		return
	}
	compare("SUPVMM", "static VMM", st["SUPVMM"])
	if (cpu == "max" || n["SUPFC"] || st["SUPFCX"] != "") {
		compare("SUPFC", "static VMM under its own Firecracker-style filter", st["SUPFC"])
		check(st["SUPFCX"] == 148 && sigsys && !escaped, kernel " " arch " " cpu \
		      ": control: a call the VMM's filter forbids still traps under the supervisor (status " \
		      (st["SUPFCX"] == "" ? "missing" : st["SUPFCX"]) ", SIGSYS line " (sigsys ? "yes" : "no") ")")
	}
	kernel = ""
}
{
	sub(/\r$/, "")
	if (match($0, /(SUPVMM|SUPFCX?|REALKVM-[A-Z-]+|RESULT|RAW|FILL|INFO|ERROR|SKIP|VMMDONE|UNAME) /) && RSTART > 1)
		$0 = substr($0, RSTART)
}
/^REALKVM-BOOT / { flush(); kernel = kv($0, "kernel"); cpu = ""; arch = ""; phase = "off"
	non = noff = 0; split("", n); split("", st); split("", sw); sigsys = escaped = 0; next }
/^REALKVM-VMM-EXIT shim=off/ { phase = "on"; next }
/^REALKVM-VMM-EXIT shim=on/ { phase = "after"; next }
/^(SUPVMM|SUPFCX?)-EXIT / { t = $1; sub(/-EXIT$/, "", t); st[t] = kv($0, "status"); next }
/^(SUPVMM|SUPFCX?) / {
	t = $1
	l = substr($0, length(t) + 2)
	sub(/_/, " ", l) # init.c hid the line's first space from the report steps
	if (t == "SUPFCX") {
		if (l ~ /^FILTER-SIGSYS /) sigsys = 1
		if (l ~ /^FILTER-ESCAPED /) escaped = 1
	} else if (l ~ / shim=o[nf]+( |$)/) L[t, ++n[t]] = norm(l)
	else if (index(l, "is statically linked: LD_PRELOAD cannot reach it; running it under the supervisor")) sw[t] = 1
	next
}
/ shim=o[nf]+( |$)/ {
	if (cpu == "") { cpu = kv($0, "cpu"); arch = kv($0, "arch") }
	if (phase == "off" && kv($0, "shim") == "off") off[++noff] = norm($0)
	else if (phase == "on" && kv($0, "shim") == "on") on[++non] = norm($0)
}
/^REALKVM-END / { flush() }
END { flush(); print passed + 0 " passed, " failed + 0 " failed" }

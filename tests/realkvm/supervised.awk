# SPDX-License-Identifier: LGPL-2.1-or-later
# supervised.awk - supervisor mode on real kernels, from the serial consoles:
# in each boot the static build of the VMM ran under kvmrun-compat, which
# supervised it (lines prefixed SUPVMM by init.c); every line it printed must
# (first space written "_", see init.c) be the line the dynamic build printed
# under the preload (shim=on, before
# REALKVM-VMM-EXIT shim=on), and differ from the run without the shim (the
# control: the comparison can fail).  The "shim" field is not compared (the
# static VMM sees no LD_PRELOAD).  A boot without a supervised run is
# reported as skipped.  Ends with "N passed, M failed".
#   awk -f common.awk -f supervised.awk console.txt
function check(ok, what) {
	if (ok) { passed++; print "SUPERVISED ok: " what }
	else { failed++; print "SUPERVISED-FAIL: " what }
}
function norm(l) { sub(/ shim=o[nf]+/, " shim=-", l); return l }
function flush(   i, same, diffoff, first) {
	if (kernel == "")
		return
	if (!nsup) {
		print "SUPERVISED skipped: " kernel " " cpu ": no supervised run in this boot"
		kernel = ""
		return
	}
	same = (nsup == non)
	for (i = 1; i <= non && i <= nsup; i++)
		if (on[i] != sup[i]) { same = 0; if (first == "") first = "line " i ": preload '" on[i] "' supervised '" sup[i] "'" }
	if (first == "" && nsup != non) first = non " lines preloaded, " nsup " supervised"
	diffoff = (noff != nsup)
	for (i = 1; i <= noff && i <= nsup; i++)
		if (off[i] != sup[i]) diffoff = 1
	check(same && non > 0, kernel " " arch " " cpu ": static VMM supervised = dynamic VMM preloaded (" nsup \
	      " lines, status " supst ", switch line " (sawline ? "yes" : "no") ")" (first != "" ? ": " first : ""))
	check(diffoff && sawline, kernel " " arch " " cpu ": control: the run without the shim differs")
	kernel = ""
}
{
	sub(/\r$/, "")
	if (match($0, /(SUPVMM|REALKVM-[A-Z-]+|RESULT|RAW|FILL|INFO|ERROR|SKIP|VMMDONE|UNAME) /) && RSTART > 1)
		$0 = substr($0, RSTART)
}
/^REALKVM-BOOT / { flush(); kernel = kv($0, "kernel"); cpu = ""; arch = ""; phase = "off"
	non = noff = nsup = 0; supst = "missing"; sawline = 0; next }
/^REALKVM-VMM-EXIT shim=off/ { phase = "on"; next }
/^REALKVM-VMM-EXIT shim=on/ { phase = "after"; next }
/^SUPVMM-EXIT / { supst = kv($0, "status"); next }
/^SUPVMM / {
	l = substr($0, 8)
	sub(/_/, " ", l) # init.c hid the line's first space from the report steps
	if (l ~ / shim=o[nf]+( |$)/) sup[++nsup] = norm(l)
	else if (index(l, "is statically linked: LD_PRELOAD cannot reach it; running it under the supervisor")) sawline = 1
	next
}
/ shim=o[nf]+( |$)/ {
	if (cpu == "") { cpu = kv($0, "cpu"); arch = kv($0, "arch") }
	if (phase == "off" && kv($0, "shim") == "off") off[++noff] = norm($0)
	else if (phase == "on" && kv($0, "shim") == "on") on[++non] = norm($0)
}
/^REALKVM-END / { flush() }
END { flush(); print passed + 0 " passed, " failed + 0 " failed" }

# SPDX-License-Identifier: LGPL-2.1-or-later
# govmm.awk - the Go VMM (govmm/) on real kernels, from the serial consoles.
# In each boot init.c ran it under kvmrun-compat --supervise (lines prefixed
# GOVMM, first space written "_") and, as the control, the same with the
# supervisor's work switched off (KVMRUN_COMPAT_MODE=off, prefixed GOVMM-OFF).
# Its first line, SCENARIOS, names the C VMM's scenarios it runs.  Of the
# dynamic C VMM's lines, those of these scenarios (scenario=S or S/fill) and
# those of no scenario (UNAME, the global INFO) are the reference, VMMDONE
# aside (its count covers every scenario); the "shim" field is not compared.
#   1. the supervised Go VMM printed exactly the reference lines of the
#      preloaded run (shim=on), in order, each named scenario had lines
#      there, and it ended with failures=0, status 0;
#   2. the control (init.c runs it on one CPU model per kernel; every kernel
#      with a Go run must have one): with the work off it printed exactly
#      the reference lines of the run without the shim, and those differ
#      from the preloaded ones.
# A boot without a Go run fails, unless its arch is in nogo (the harness had
# no Go toolchain: -v nogo="arm64 x86_64"), then it is skipped.  A boot
# without a preloaded C run (no shim) is skipped.  Ends "N passed, M failed".
#   awk -v nogo="..." -f common.awk -f govmm.awk console.txt
function check(ok, what) {
	if (ok) { passed++; print "GOVMM ok: " what }
	else { failed++; print "GOVMM-FAIL: " what }
}
function norm(l) { sub(/ shim=o[nf]+/, " shim=-", l); return l }
function scen_of(l,   s) { s = kv(l, "scenario"); sub(/\/fill$/, "", s); return s }
# the reference: lines of the named scenarios or of none, VMMDONE aside
function wanted(l,   s) { if (l ~ /^VMMDONE /) return 0; s = scen_of(l); return s == "" || (s in inset) }
# "" when a[1..na] (all of them) equals the reference of c[1..nc], else the first difference
function cmpref(a, na, c, nc,   i, j, r) {
	j = 0
	for (i = 1; i <= nc; i++) {
		if (!wanted(c[i])) continue
		j++
		if (j > na) return "line " j ": C '" c[i] "', Go none"
		if (a[j] != c[i]) return "line " j ": C '" c[i] "', Go '" a[j] "'"
	}
	if (j < na) return "line " (j + 1) ": C none, Go '" a[j + 1] "'"
	return j ? "" : "no reference line"
}
function flush(   n, i, s, miss, d1, d2, d3, what) {
	if (kernel == "")
		return
	what = kernel " " arch " " cpu
	if (!non) {
		print "GOVMM skipped: " what ": no preloaded C VMM run in this boot"
	} else if (ngo == 0 && gost == "missing") {
		if (index(" " nogo " ", " " arch " ")) print "GOVMM skipped: " what ": no Go toolchain for " arch
		else check(0, what ": no Go VMM run in this boot")
	} else {
		delete inset
		n = split(scens, sl, ",")
		for (i = 1; i <= n; i++) if (sl[i] != "") inset[sl[i]] = 0
		for (i = 1; i <= non; i++) { s = scen_of(on[i]); if (s in inset) inset[s]++ }
		miss = ""
		for (s in inset) if (!inset[s]) miss = miss " " s
		d1 = cmpref(go, ngo, on, non)
		check(n > 0 && miss == "" && d1 == "" && godone && gost == "0",
		      what ": Go VMM supervised = C VMM preloaded (" ngo " lines of " n " scenario(s) " scens \
		      ", status " gost ")" (n ? "" : ": no SCENARIOS line") (miss != "" ? ": no C lines of" miss : "") \
		      (d1 != "" ? ": " d1 : "") (godone ? "" : ": no VMMDONE failures=0"))
		gokern[arch " " kernel] = 1
		if (goffst == "missing" && !ngoff) { kernel = ""; return }
		ctlkern[arch " " kernel] = 1
		d2 = cmpref(goff, ngoff, off, noff)
		d3 = cmpref(goff, ngoff, on, non)
		check(n > 0 && d2 == "" && d3 != "" && goffst == "0",
		      what ": control: with the supervisor's work off the Go VMM = C VMM without the shim (" \
		      ngoff " lines, status " goffst ") and differs from the preloaded run" \
		      (d2 != "" ? ": " d2 : "") (d3 == "" ? ": identical to the preloaded run" : ""))
	}
	kernel = ""
}
{
	sub(/\r$/, "")
	if (match($0, /(GOVMM-OFF|GOVMM|REALKVM-[A-Z-]+|RESULT|RAW|FILL|INFO|ERROR|SKIP|VMMDONE|UNAME) /) && RSTART > 1)
		$0 = substr($0, RSTART)
}
/^REALKVM-BOOT / { flush(); kernel = kv($0, "kernel"); cpu = ""; arch = ""; phase = "off"
	non = noff = ngo = ngoff = 0; gost = goffst = "missing"; godone = 0; scens = ""; next }
/^REALKVM-VMM-EXIT shim=off/ { phase = "on"; next }
/^REALKVM-VMM-EXIT shim=on/ { phase = "after"; next }
/^GOVMM-EXIT / { gost = kv($0, "status"); next }
/^GOVMM-OFF-EXIT / { goffst = kv($0, "status"); next }
/^GOVMM(-OFF)? / {
	tag = $1
	l = substr($0, length(tag) + 2)
	sub(/_/, " ", l) # init.c hid the line's first space from the report steps
	if (l ~ /^SCENARIOS /) { if (tag == "GOVMM") scens = kv(l, "scenarios"); next }
	if (l !~ / shim=o[nf]+( |$)/) next # the wrapper's or the runtime's own lines
	if (l ~ /^VMMDONE /) { if (tag == "GOVMM" && kv(l, "failures") == "0") godone = 1; next }
	if (tag == "GOVMM") go[++ngo] = norm(l)
	else goff[++ngoff] = norm(l)
	next
}
/ shim=o[nf]+( |$)/ {
	if (cpu == "") { cpu = kv($0, "cpu"); arch = kv($0, "arch") }
	if (phase == "off" && kv($0, "shim") == "off") off[++noff] = norm($0)
	else if (phase == "on" && kv($0, "shim") == "on") on[++non] = norm($0)
}
/^REALKVM-END / { flush() }
END {
	flush()
	for (k in gokern) if (!(k in ctlkern)) check(0, k ": no control run (GOVMM-OFF) on any CPU model")
	print passed + 0 " passed, " failed + 0 " failed"
}

# SPDX-License-Identifier: LGPL-2.1-or-later
#
# report.awk - turn the serial consoles of the realkvm boots into a results
# table and check them against expected.txt.   awk -v expected=FILE -f report.awk console.txt
#
# A RESULT line carries value (after KVM_RUN, after the shim if preloaded) and
# before (the bytes just before KVM_RUN).  Without the shim a field is
#   stale  value == before != 0   (nobody wrote it: junk of the previous exit / the VMM)
#   set    value != before        (the kernel wrote it)
#   zero   value == before == 0   (cannot tell; counts as set)
# expected.txt says, per arch / kernel range / scenario / field, one of
#   stale    stale without the shim, 0 with it
#   kernel   written by the kernel (set or zero) without the shim, unchanged by the shim
#   input    read back by the kernel on the next KVM_RUN: the shim must leave it as
#            it was before KVM_RUN, whatever the kernel did
#   =0xHEX   exactly this value with and without the shim
#   any      recorded, not checked (both modes)
# A RESULT with no matching expectation is a failure (new drift must be looked at).

function lookup(arch, k, scen, fld,   i) {
	for (i = 1; i <= nexp; i++)
		if ((E_arch[i] == arch || E_arch[i] == "*") && kmatch(E_k[i], k) &&
		    (E_scen[i] == scen || E_scen[i] == "*") && (E_fld[i] == fld || E_fld[i] == "*"))
			return E_cls[i]
	return ""
}
function fail(msg) { failures++; fails[failures] = msg }

BEGIN {
	while ((getline line < expected) > 0) {
		sub(/#.*/, "", line)
		if (split(line, f) < 5) continue
		nexp++
		E_arch[nexp] = f[1]; E_k[nexp] = f[2]; E_scen[nexp] = f[3]; E_fld[nexp] = f[4]; E_cls[nexp] = f[5]
	}
	if (!nexp) { print "realkvm: ERROR: no expectations in " expected; exit 2 }
}
{
	sub(/\r$/, "")
	# the firmware's terminal escapes may precede our first line
	if (match($0, /(RESULT|REALKVM-[A-Z-]+|VMMDONE|ERROR|SKIP|INFO|RAW|BOOT) /) && RSTART > 1)
		$0 = substr($0, RSTART)
}
/^BOOT / {
	nboot++
	b = kv($0, "arch") " " kv($0, "pkg") " " kv($0, "cpu")
	boot_rc[b] = kv($0, "rc"); boot_s[b] = kv($0, "seconds")
	boots[nboot] = b
	next
}
/^REALKVM-END / { ended[kv($0, "kernel")]++ }
/^REALKVM-NOKVM / { fail("no /dev/kvm in " kv($0, "kernel")) }
/^REALKVM-MODULE .* failed/ { fail($0) }
/^ERROR / { fail($0) }
/^VMMDONE / { done[kv($0, "arch") " " kv($0, "kernel") " " kv($0, "cpu") " " kv($0, "shim")] = 1 }
/^SKIP / {
	sk = kv($0, "arch") " " kv($0, "scenario") " " kv($0, "reason")
	if (index(skips[sk] " ", " " kv($0, "kernel") " ") == 0) skips[sk] = skips[sk] " " kv($0, "kernel")
}
/^RESULT / {
	arch = kv($0, "arch"); k = kv($0, "kernel"); cpu = kv($0, "cpu"); shim = kv($0, "shim")
	scen = kv($0, "scenario"); fld = kv($0, "field")
	id = arch SUBSEP k SUBSEP cpu SUBSEP scen SUBSEP fld
	val[id, shim] = kv($0, "value"); bef[id, shim] = kv($0, "before")
	if (!(id in seen)) { seen[id] = 1; nid++; ids[nid] = id }
	if (!((arch, k) in kseen)) { kseen[arch, k] = 1; nk[arch]++; klist[arch, nk[arch]] = k }
	if (!((arch, scen, fld) in rseen)) { rseen[arch, scen, fld] = 1; nr[arch]++; rlist[arch, nr[arch]] = scen " " fld }
	if (!((arch, k, cpu) in cseen)) { cseen[arch, k, cpu] = 1; cpus[arch, k] = cpus[arch, k] (cpus[arch, k] == "" ? "" : ",") cpu }
	if (shim == "on") anyshim[arch] = 1
}
END {
	for (i = 1; i <= nboot; i++) {
		split(boots[i], p, " ")
		if (boot_rc[boots[i]] != 0)
			fail("boot " boots[i] " exited rc=" boot_rc[boots[i]] (boot_rc[boots[i]] == 124 ? " (timeout)" : ""))
	}
	for (i = 1; i <= nid; i++) {
		split(ids[i], p, SUBSEP)
		arch = p[1]; k = p[2]; cpu = p[3]; scen = p[4]; fld = p[5]
		cls = lookup(arch, k, scen, fld)
		off = val[ids[i], "off"]; offb = bef[ids[i], "off"]
		if (off == "") { fail("no shim=off result for " arch " " k " " cpu " " scen " " fld); continue }
		obs = (hexz(off) == hexz(offb)) ? (hexz(off) == "0" ? "zero" : "stale") : "set"
		on = ((ids[i], "on") in val) ? val[ids[i], "on"] : ""
		verdict = "ok"
		if (cls == "") { verdict = "NO-EXPECTATION" }
		else if (cls == "stale") {
			if (obs != "stale") verdict = "EXPECTED-STALE"
			else if (on != "" && hexz(on) != "0") verdict = "SHIM-LEFT-STALE"
		} else if (cls == "kernel") {
			if (obs == "stale") verdict = "UNEXPECTED-STALE"
			else if (on != "" && hexz(on) != hexz(off)) verdict = "SHIM-CHANGED-VOUCHED"
		} else if (cls == "input") {
			if (on != "" && hexz(on) != hexz(bef[ids[i], "on"]) && hexz(on) != hexz(off))
				verdict = "SHIM-TOUCHED-INPUT"
		} else if (cls ~ /^=/) {
			if (hexz(off) != hexz(substr(cls, 2))) verdict = "VALUE-" off
			else if (on != "" && hexz(on) != hexz(substr(cls, 2))) verdict = "SHIM-VALUE-" on
		}
		cell = (obs == "stale" ? "STALE " off : obs == "zero" ? "0" : "set")
		if (on != "") cell = cell (hexz(on) == hexz(off) ? " =" : " ->" on)
		if (verdict != "ok") {
			bad++
			cell = cell " !" verdict
			fail(arch " " k " cpu=" cpu " " scen " " fld ": shim=off value=" off " before=" offb " shim=on value=" (on == "" ? "-" : on) " expectation=" (cls == "" ? "none" : cls) ": " verdict)
		}
		# merge CPU models: identical cells collapse, differing ones are listed
		key = arch SUBSEP scen " " fld SUBSEP k
		if (!(key in cellv)) cellv[key] = cell
		else if (cellv[key] != cell) cellv[key] = cellv[key] " | " cpu ": " cell
		checked++
	}
	for (a = 1; a <= 2; a++) {
		arch = (a == 1) ? "arm64" : "x86_64"
		if (!nk[arch]) continue
		printf "\n== %s: shim=off observation%s (STALE <value> = bytes unchanged by the kernel; set = written; 0 = zero before and after)\n", arch, anyshim[arch] ? " / shim=on (= unchanged, ->X zeroed/changed to X)" : " (shim not run)"
		printf "%-40s", "scenario field"
		for (j = 1; j <= nk[arch]; j++) printf "  %-30s", klist[arch, j] " [" cpus[arch, klist[arch, j]] "]"
		printf "\n"
		for (r = 1; r <= nr[arch]; r++) {
			printf "%-40s", rlist[arch, r]
			for (j = 1; j <= nk[arch]; j++) {
				key = arch SUBSEP rlist[arch, r] SUBSEP klist[arch, j]
				printf "  %-30s", (key in cellv) ? cellv[key] : "-"
			}
			printf "\n"
		}
	}
	for (s in skips) { split(s, p, " "); printf "SKIPPED %s %s (%s):%s\n", p[1], p[2], p[3], skips[s] }
	printf "\n"
	for (i = 1; i <= failures; i++) print "FAIL: " fails[i]
	printf "realkvm: %d boots, %d field observations checked, %d failures\n", nboot, checked, failures
	if (!nboot || !checked) { print "realkvm: nothing ran"; exit 1 }
	printf "%d passed, %d failed\n", checked - bad, failures
	exit failures ? 1 : 0
}

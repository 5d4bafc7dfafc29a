# SPDX-License-Identifier: LGPL-2.1-or-later
#
# compare.awk - the emulator (emu-compare, cpu=emu) against the real kernels'
# serial consoles, field by field and byte by byte.  Called by compare.sh:
#
#   awk -v table=FILE -v realf=CONSOLE -v pairs="arch:kernel ..." \
#       -f compare.awk CONSOLE EMU-OUTPUT
#
# For every booted kernel (pairs), every CPU model and shim=off/on:
#  - RESULT fields: value AND before must be equal to the emulator's, or for
#    a "class" entry of the table, have the same class (stale/set/zero);
#  - RAW dumps (bytes 0-287 before and after the exit), bytes not covered by
#    a RESULT field of the scenario: equal, byte by byte (class entries with
#    raw:A-B compare that range by class);
#  - INFO lines (api, mmap_size, capabilities, IO exit geometry): equal;
#  - SKIP lines: the same scenarios skipped for the same reasons;
#  - emulator IOCTL / CAP lines (a set-up ioctl or capability answer that
#    differs from the real kernel's) and ERROR lines are drifts.
# A difference is a DRIFT (failure) unless a "known" entry of the table
# covers it (KNOWN-DRIFT, reported, not failed).  A "known" entry that no
# longer matches any difference is itself a failure: remove it.

function profile(arch, k,   a) { split(k, a, /[.+-]/); return arch "-" (a[1] + 0) "." (a[2] + 0) }
function cls(v, b) { return hexz(v) == hexz(b) ? (hexz(v) == "0" ? "zero" : "stale") : "set" }
# first table entry of kind for (arch, kernel, scenario, item); item "raw:N"
# matches a raw:A-B range containing byte N
function lookup(kind, arch, k, scen, item,   i, n, r, lo, hi) {
	for (i = 1; i <= nt; i++) {
		if (T_kind[i] != kind) continue
		if (T_arch[i] != "*" && T_arch[i] != arch) continue
		if (!kmatch(T_k[i], k)) continue
		if (T_scen[i] != "*" && T_scen[i] != scen) continue
		if (T_item[i] == item) return i
		if (item ~ /^raw:[0-9]+$/ && T_item[i] ~ /^raw:[0-9]+(-[0-9]+)?$/) {
			n = substr(item, 5) + 0
			r = substr(T_item[i], 5)
			lo = r + 0; hi = (index(r, "-") ? substr(r, index(r, "-") + 1) + 0 : lo)
			if (n >= lo && n <= hi) return i
		}
	}
	return 0
}
function check() { checks++; cur_bad = 0 }
# one difference: known (table) or a failing drift
function differ(arch, k, cpu, shim, scen, item, msg,   i, key) {
	i = lookup("known", arch, k, scen, item)
	if (i) {
		T_seen[i]++
		nknown++
		if (index(" " T_kern[i] " ", " " k " ") == 0) T_kern[i] = T_kern[i] (T_kern[i] == "" ? "" : " ") k
		if (index("," T_shims[i] ",", "," shim ",") == 0) T_shims[i] = T_shims[i] (T_shims[i] == "" ? "" : ",") shim
		if (index(" " T_scens[i] " ", " " scen " ") == 0) T_scens[i] = T_scens[i] (T_scens[i] == "" ? "" : " ") scen
		if (T_sample[i] == "") T_sample[i] = arch " " k " cpu=" cpu " shim=" shim " " scen " " item ": " msg
		if (detail != "") print "KNOWN-DRIFT: " arch " " k " cpu=" cpu " shim=" shim " " scen " " item ": " msg > detail
		return 0
	}
	nfail++
	if (!cur_bad) { cur_bad = 1; bad++ }
	fail_lines[nfail] = "DRIFT: " arch " " k " cpu=" cpu " shim=" shim " " scen " " item ": " msg
	return 1
}
function trim_prefix() {
	if (match($0, /(RESULT|VMMDONE|ERROR|SKIP|INFO|RAW|IOCTL|CAP) /) && RSTART > 1)
		$0 = substr($0, RSTART)
}
# header-free rest of an INFO line (everything after shim=...)
function info_body(line) { sub(/^INFO .* shim=[^ ]*/, "", line); return line }

BEGIN {
	while ((getline line < table) > 0) {
		sub(/\r$/, "", line)
		if (line ~ /^[ \t]*(#|$)/) continue
		n = split(line, f)
		if (n < 6 || (f[1] != "class" && f[1] != "known")) { print "compare: bad table line: " line; bad_table = 1; continue }
		nt++
		T_kind[nt] = f[1]; T_arch[nt] = f[2]; T_k[nt] = f[3]; T_scen[nt] = f[4]; T_item[nt] = f[5]
		r = line; for (j = 1; j <= 5; j++) sub(/^[ \t]*[^ \t]+/, "", r); sub(/^[ \t]+/, "", r)
		T_reason[nt] = r
	}
	np = split(pairs, P, " ")
	for (i = 1; i <= np; i++) wanted[P[i]] = 1
}
{ sub(/\r$/, ""); trim_prefix() }
FILENAME == realf {
	arch = kv($0, "arch"); k = kv($0, "kernel")
	if (!((arch ":" k) in wanted)) next
	cpu = kv($0, "cpu"); shim = kv($0, "shim"); scen = kv($0, "scenario")
	if ($1 == "VMMDONE") {
		rshim[arch, k, shim] = 1
		if (!((arch, k, cpu) in rcpu_seen)) { rcpu_seen[arch, k, cpu] = 1; ncpu[arch, k]++; cpus[arch, k, ncpu[arch, k]] = cpu }
	}
	else if ($1 == "RESULT") {
		id = arch SUBSEP k SUBSEP cpu SUBSEP shim SUBSEP scen SUBSEP kv($0, "field")
		if (!(id in rval)) { nr++; rids[nr] = id }
		rval[id] = kv($0, "value"); rbef[id] = kv($0, "before")
		roff[id] = kv($0, "off"); rlen[id] = kv($0, "len")
	} else if ($1 == "RAW") {
		tag = ($0 ~ / before=/) ? "before" : "after"
		rid = arch SUBSEP k SUBSEP cpu SUBSEP shim SUBSEP scen
		if (!((rid, "seen") in rraw)) { rraw[rid, "seen"] = 1; nrr++; rrids[nrr] = rid }
		rraw[rid, tag] = kv($0, tag)
	} else if ($1 == "INFO") {
		iid = arch SUBSEP k SUBSEP cpu SUBSEP shim SUBSEP (scen == "" ? "-" : scen) SUBSEP (($0 ~ / extra-io-exits=/) ? "extra" : "main")
		if (!(iid in rinfo)) { ni++; iids[ni] = iid }
		rinfo[iid] = info_body($0)
	} else if ($1 == "SKIP") {
		rskip[arch, k, cpu, shim] = rskip[arch, k, cpu, shim] " " scen ":" kv($0, "reason")
	}
	next
}
{
	# the emulator's output
	arch = kv($0, "arch"); k = kv($0, "kernel"); shim = kv($0, "shim"); scen = kv($0, "scenario")
	if ($1 == "VMMDONE") edone[arch, k, shim] = 1
	else if ($1 == "RESULT") {
		id = arch SUBSEP k SUBSEP shim SUBSEP scen SUBSEP kv($0, "field")
		eval[id] = kv($0, "value"); ebef[id] = kv($0, "before")
		if (!(id in eseen)) { eseen[id] = 1; ne++; eids[ne] = id }
	} else if ($1 == "RAW") {
		tag = ($0 ~ / before=/) ? "before" : "after"
		eraw[arch, k, shim, scen, tag] = kv($0, tag)
	} else if ($1 == "INFO") {
		eiid = arch SUBSEP k SUBSEP shim SUBSEP (scen == "" ? "-" : scen) SUBSEP (($0 ~ / extra-io-exits=/) ? "extra" : "main")
		einfo[eiid] = info_body($0)
		if (!(eiid in eiseen)) { eiseen[eiid] = 1; nei++; eiids[nei] = eiid }
	} else if ($1 == "SKIP") {
		eskip[arch, k, shim] = eskip[arch, k, shim] " " scen ":" kv($0, "reason")
	} else if ($1 == "IOCTL") {
		nio++; io_line[nio] = arch SUBSEP k SUBSEP shim SUBSEP scen SUBSEP "ioctl:" kv($0, "ioctl") SUBSEP "emulator ret=" kv($0, "ret") " errno=" kv($0, "errno") ", the real kernel succeeded"
	} else if ($1 == "CAP") {
		nio++; io_line[nio] = arch SUBSEP k SUBSEP shim SUBSEP scen SUBSEP "cap:" kv($0, "cap") SUBSEP "emulator KVM_CHECK_EXTENSION=" kv($0, "value") " but the real kernel " kv($0, "real") " the scenario"
	} else if ($1 == "NOPROFILE") {
		nnop++; noprof[nnop] = arch SUBSEP k SUBSEP kv($0, "profile")
	} else if ($1 == "ERROR") {
		nerr++; err_lines[nerr] = $0
	}
}
END {
	# which bytes of each scenario's dump a RESULT field covers
	for (i = 1; i <= nr; i++) {
		split(rids[i], p, SUBSEP)
		if (p[6] == "ret-seen-by-guest") continue
		for (b = roff[rids[i]] + 0; b < roff[rids[i]] + rlen[rids[i]]; b++)
			covered[p[1], p[5], b] = 1
	}
	for (i = 1; i <= np; i++) {
		split(P[i], q, ":"); arch = q[1]; k = substr(P[i], length(arch) + 2)
		for (s = 0; s < 2; s++) {
			shim = s ? "on" : "off"
			if (!((arch, k, shim) in rshim)) continue
			check()
			if (!((arch, k, shim) in edone))
				differ(arch, k, "-", shim, "-", "run", "the emulator (profile " profile(arch, k) ") did not complete (see compare.sh's log)")
			for (c = 1; c <= ncpu[arch, k]; c++) {
				cpu = cpus[arch, k, c]
				check()
				rs = rskip[arch, k, cpu, shim]; es = eskip[arch, k, shim]
				if (rs != es)
					differ(arch, k, cpu, shim, "-", "skip", "real skipped [" rs " ] emulator skipped [" es " ]")
			}
		}
	}
	# RESULT fields
	for (i = 1; i <= nr; i++) {
		id = rids[i]; split(id, p, SUBSEP)
		arch = p[1]; k = p[2]; cpu = p[3]; shim = p[4]; scen = p[5]; fld = p[6]
		eid = arch SUBSEP k SUBSEP shim SUBSEP scen SUBSEP fld
		matched[eid] = 1
		check()
		rv = rval[id]; rb = rbef[id]
		if (!(eid in eval)) { differ(arch, k, cpu, shim, scen, fld, "real value=" rv " before=" rb ", the emulator produced no such result"); continue }
		ev = eval[eid]; eb = ebef[eid]
		if (lookup("class", arch, k, scen, fld)) {
			if (cls(rv, rb) != cls(ev, eb))
				differ(arch, k, cpu, shim, scen, fld, "class real " cls(rv, rb) " (value=" rv " before=" rb "), emulator " profile(arch, k) " " cls(ev, eb) " (value=" ev " before=" eb ")")
		} else if (rv != ev || rb != eb)
			differ(arch, k, cpu, shim, scen, fld, "real value=" rv " before=" rb ", emulator " profile(arch, k) " value=" ev " before=" eb)
	}
	for (i = 1; i <= ne; i++) {
		if (eids[i] in matched) continue
		split(eids[i], p, SUBSEP)
		if (!((p[1], p[2], p[3]) in rshim)) continue
		check()
		differ(p[1], p[2], "-", p[3], p[4], p[5], "emulator value=" eval[eids[i]] " before=" ebef[eids[i]] ", the real kernel produced no such result")
	}
	# RAW dumps, bytes not covered by a field
	for (i = 1; i <= nrr; i++) {
		rid = rrids[i]; split(rid, p, SUBSEP)
		arch = p[1]; k = p[2]; cpu = p[3]; shim = p[4]; scen = p[5]
		check()
		ra = rraw[rid, "after"]; rb = rraw[rid, "before"]
		ea = eraw[arch, k, shim, scen, "after"]; eb = eraw[arch, k, shim, scen, "before"]
		if (ea == "" || eb == "") { differ(arch, k, cpu, shim, scen, "raw", "the emulator printed no RAW dump"); continue }
		delete done_b
		# class ranges first
		for (t = 1; t <= nt; t++) {
			if (T_kind[t] != "class" || T_item[t] !~ /^raw:/) continue
			if ((T_arch[t] != "*" && T_arch[t] != arch) || !kmatch(T_k[t], k) || (T_scen[t] != "*" && T_scen[t] != scen)) continue
			r = substr(T_item[t], 5); lo = r + 0; hi = (index(r, "-") ? substr(r, index(r, "-") + 1) + 0 : lo)
			for (b = lo; b <= hi; b++) done_b[b] = 1
			x1 = substr(ra, 2 * lo + 1, 2 * (hi - lo + 1)); x0 = substr(rb, 2 * lo + 1, 2 * (hi - lo + 1))
			y1 = substr(ea, 2 * lo + 1, 2 * (hi - lo + 1)); y0 = substr(eb, 2 * lo + 1, 2 * (hi - lo + 1))
			if (cls(x1, x0) != cls(y1, y0))
				differ(arch, k, cpu, shim, scen, T_item[t], "class real " cls(x1, x0) " (after=" x1 " before=" x0 "), emulator " cls(y1, y0) " (after=" y1 " before=" y0 ")")
		}
		b = 0
		nb = length(ra) / 2
		if (length(ea) != length(ra) || length(eb) != length(rb)) { differ(arch, k, cpu, shim, scen, "raw", "dump lengths differ: real " nb " emulator " length(ea) / 2 " bytes"); continue }
		while (b < nb) {
			if ((arch, scen, b) in covered || b in done_b || (substr(ra, 2 * b + 1, 2) == substr(ea, 2 * b + 1, 2) && substr(rb, 2 * b + 1, 2) == substr(eb, 2 * b + 1, 2))) { b++; continue }
			lo = b
			while (b < nb && !((arch, scen, b) in covered) && !(b in done_b) && (substr(ra, 2 * b + 1, 2) != substr(ea, 2 * b + 1, 2) || substr(rb, 2 * b + 1, 2) != substr(eb, 2 * b + 1, 2)) && lookup("known", arch, k, scen, "raw:" b) == lookup("known", arch, k, scen, "raw:" lo)) b++
			hi = b - 1; n = hi - lo + 1
			differ(arch, k, cpu, shim, scen, "raw:" lo (hi > lo ? "-" hi : ""), "bytes " lo ".." hi " after: real " substr(ra, 2 * lo + 1, 2 * n) " emulator " substr(ea, 2 * lo + 1, 2 * n) "; before: real " substr(rb, 2 * lo + 1, 2 * n) " emulator " substr(eb, 2 * lo + 1, 2 * n) " (" profile(arch, k) ")")
		}
	}
	# INFO lines
	for (i = 1; i <= ni; i++) {
		split(iids[i], p, SUBSEP)
		eiid = p[1] SUBSEP p[2] SUBSEP p[4] SUBSEP p[5] SUBSEP p[6]
		imatched[eiid] = 1
		check()
		if (rinfo[iids[i]] != einfo[eiid])
			differ(p[1], p[2], p[3], p[4], p[5], "info", "real [" rinfo[iids[i]] " ] emulator [" einfo[eiid] " ]")
	}
	for (i = 1; i <= nei; i++) {
		if (eiids[i] in imatched) continue
		split(eiids[i], p, SUBSEP)
		if (!((p[1], p[2], p[3]) in rshim)) continue
		check()
		differ(p[1], p[2], "-", p[3], p[4], "info", "emulator [" einfo[eiids[i]] " ], nothing on the real kernel")
	}
	# ioctl / capability answers, emulator errors
	for (i = 1; i <= nio; i++) {
		split(io_line[i], p, SUBSEP)
		if (!((p[1], p[2], p[3]) in rshim)) continue
		check()
		differ(p[1], p[2], "-", p[3], p[4], p[5], p[6])
	}
	for (i = 1; i <= nnop; i++) {
		split(noprof[i], p, SUBSEP)
		check(); nfail++; bad++
		fail_lines[nfail] = "DRIFT: " p[1] " " p[2] ": booted, but the emulator has no profile " p[3] " (tools/emu/emu-profile.c profiles[]): not compared"
	}
	for (i = 1; i <= nerr; i++) { check(); nfail++; bad++; fail_lines[nfail] = "DRIFT: emulator error: " err_lines[i] }
	# known entries that matched nothing, for the arches/kernels compared
	for (t = 1; t <= nt; t++) {
		if (T_kind[t] != "known" || T_seen[t]) continue
		applies = 0
		for (i = 1; i <= np; i++) {
			split(P[i], q, ":")
			if ((T_arch[t] == "*" || T_arch[t] == q[1]) && kmatch(T_k[t], substr(P[i], length(q[1]) + 2))) applies = 1
		}
		if (applies) { check(); nfail++; bad++; fail_lines[nfail] = "STALE-KNOWN-DRIFT: table entry '" T_arch[t] " " T_k[t] " " T_scen[t] " " T_item[t] "' no longer matches any difference: the emulator was fixed, remove the entry from compare.sh" }
	}
	for (t = 1; t <= nt; t++) {
		if (T_kind[t] != "known" || !T_seen[t]) continue
		printf "KNOWN-DRIFT: %s %s: %d difference(s) on %s, shim=%s, scenario(s) %s\n", T_arch[t], T_item[t], T_seen[t], T_kern[t], T_shims[t], T_scens[t]
		print "    e.g. " T_sample[t]
		print "    why: " T_reason[t]
	}
	for (i = 1; i <= nfail; i++) print fail_lines[i]
	if (bad_table) nfail++
	printf "compare: %d kernel(s) compared, %d checks, %d known difference(s) (table in compare.sh), %d failure(s)\n", np, checks, nknown, nfail
	if ((!np && !nnop) || !checks) { print "compare: nothing compared"; nfail++ }
	printf "%d passed, %d failed\n", checks - bad, nfail
	exit nfail ? 1 : 0
}

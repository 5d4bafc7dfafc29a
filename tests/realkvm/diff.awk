# SPDX-License-Identifier: LGPL-2.1-or-later
#
# diff.awk - the differential proof: for every scenario the test VMM ran
# four times per kernel and CPU model (shim off/on x clean/filled; the filled
# pass has bytes lo..hi of kvm_run set to 0xa5 right before the KVM_RUN of the
# reported exit, except the completion inputs of the pending exit), compare
# the union bytes after the exit:
#
#   awk -v exceptions=FILE [-v flip=SCEN:BYTE] -f common.awk -f diff.awk console.txt
#
# Per byte b of lo..hi (the FILL line of the scenario gives lo, hi, inputs):
#  - not an input, plain/filled != 0xa5: the kernel wrote it.  shim/filled must
#    be identical, and shim/clean identical to plain/clean;
#  - not an input, plain/filled == 0xa5: nobody wrote it.  It must read 0 with
#    the shim (filled and clean); without the shim it is a stale byte the VMM
#    sees (0xa5 in the filled pass, whatever was there in the clean pass when
#    not 0);
#  - an input (spared by the fill): written by the kernel when plain/filled
#    differs from the byte before KVM_RUN (then as above), otherwise the VMM's
#    consumed answer left over: stale, must read 0 with the shim.
# No per-field knowledge: the only table is the exceptions file (a kernel-
# written byte the shim may change, named; "arch kernels scenario A-B reason").
# A control is part of every run: one unit is checked again with one
# kernel-written byte flipped and one unwritten byte set in its shim/filled
# dump, and both must be reported, or the run fails.  flip=SCEN:BYTE (or
# KVMRC_REALKVM_DIFF_FLIP in run.sh) flips that byte of shim/filled in the
# real data, to see a failure.
# Last line: "N passed, M failed"; exit 1 on a failure.

function hb(h, b) { return substr(h, 2 * b + 1, 2) }
function base(s) { sub(/\/fill$/, "", s); return s }
function isinput(u, b,   n, i, r, lo, hi) {
	n = split(U_inputs[u], r, ",")
	for (i = 1; i <= n; i++) {
		if (r[i] == "none" || r[i] == "") continue
		lo = r[i] + 0; hi = (index(r[i], "-") ? substr(r[i], index(r[i], "-") + 1) + 0 : lo)
		if (b >= lo && b <= hi) return 1
	}
	return 0
}
function excepted(arch, k, scen, b,   i) {
	for (i = 1; i <= nx; i++)
		if ((X_arch[i] == arch || X_arch[i] == "*") && kmatch(X_k[i], k) &&
		    (X_scen[i] == scen || X_scen[i] == "*") && b >= X_lo[i] && b <= X_hi[i]) return i
	return 0
}
# violations of one unit, gathered per (mode, kind) into byte ranges
function note(rec, key, b, v) {
	if (!rec) return
	if (!(key in N_b)) { nkeys++; keys[nkeys] = key }
	N_b[key] = N_b[key] (N_b[key] == "" ? "" : " ") b ":" v
}
function flush(where,   i, n, a, j, lo, prev, c, out, vals) {
	for (i = 1; i <= nkeys; i++) {
		n = split(N_b[keys[i]], a, " ")
		out = ""; lo = -1
		for (j = 1; j <= n + 1; j++) {
			c = (j <= n) ? a[j] + 0 : -2
			if (lo >= 0 && c == prev + 1) { prev = c; continue }
			if (lo >= 0) out = out (out == "" ? "" : ", ") lo (prev > lo ? "-" prev : "") " (" vals (prev > lo ? ", ..." : "") ")"
			if (j <= n) { lo = prev = c; vals = substr(a[j], index(a[j], ":") + 1) }
		}
		nviol++; viol[nviol] = where " " keys[i] ": bytes " out
	}
	delete N_b; nkeys = 0
}
# Check one unit (arch SUBSEP kernel SUBSEP cpu SUBSEP scenario).  fb/fv: a
# byte of shim/filled to override with value fv (the control), -1 for none.
# Counts go to C_stale_off, C_stale_on, C_changed, C_exc, C_bad_fill,
# C_bad_clean; violations are recorded when rec is set.
function check_unit(u, rec, fb, fv,   p, arch, k, cpu, scen, pf, pb, sf, pc, sc, b, inp, written, s, hasshim, x, where) {
	split(u, p, SUBSEP); arch = p[1]; k = p[2]; cpu = p[3]; scen = p[4]
	pf = R[u, "off", "fill", "after"]; pb = R[u, "off", "fill", "before"]
	sf = R[u, "on", "fill", "after"]; pc = R[u, "off", "clean", "after"]; sc = R[u, "on", "clean", "after"]
	hasshim = (sf != "" && sc != "")
	C_stale_off = C_stale_on = C_changed = C_exc = C_bad_fill = C_bad_clean = 0
	where = arch " " k " cpu=" cpu " " scen
	for (b = U_lo[u]; b <= U_hi[u]; b++) {
		inp = isinput(u, b)
		written = inp ? (hb(pf, b) != hb(pb, b)) : (hb(pf, b) != "a5")
		s = hasshim ? hb(sf, b) : ""
		if (b == fb) s = fv
		if (written) {
			if (!hasshim) continue
			if (s != hb(pf, b)) {
				x = excepted(arch, k, scen, b)
				if (x) { C_exc++; X_used[x]++ }
				else { C_changed++; C_bad_fill++; note(rec, "filled: kernel-written, changed by the shim (without/with)", b, hb(pf, b) "/" s) }
			}
			if (pc != "" && hb(sc, b) != hb(pc, b)) {
				x = excepted(arch, k, scen, b)
				if (x) { C_exc++; X_used[x]++ }
				else { C_changed++; C_bad_clean++; note(rec, "clean: kernel-written, changed by the shim (without/with)", b, hb(pc, b) "/" hb(sc, b)) }
			}
			continue
		}
		# unwritten (or an input left over): stale unless zero
		if (hb(pf, b) != "00") C_stale_off++
		if (pc != "" && hb(pc, b) != "00") C_stale_off++
		if (!hasshim) continue
		if (s != "00") { C_stale_on++; C_bad_fill++; note(rec, "filled: " (inp ? "input left over" : "not written by the kernel") ", not 0 with the shim (without/with)", b, hb(pf, b) "/" s) }
		if (hb(sc, b) != "00") { C_stale_on++; C_bad_clean++; note(rec, "clean: " (inp ? "input left over" : "not written by the kernel") ", not 0 with the shim (without/with)", b, hb(pc, b) "/" hb(sc, b)) }
	}
	if (rec) flush(where)
}

BEGIN {
	if (exceptions != "") {
		while ((getline line < exceptions) > 0) {
			sub(/#.*/, "", line)
			if (split(line, f) < 5) continue
			nx++; X_arch[nx] = f[1]; X_k[nx] = f[2]; X_scen[nx] = f[3]
			X_lo[nx] = f[4] + 0; X_hi[nx] = (index(f[4], "-") ? substr(f[4], index(f[4], "-") + 1) + 0 : X_lo[nx])
			r = line; for (j = 1; j <= 4; j++) sub(/^[ \t]*[^ \t]+/, "", r); sub(/^[ \t]+/, "", r)
			X_why[nx] = r
		}
	}
	if (flip != "") { split(flip, fp, ":"); flip_scen = fp[1]; flip_b = fp[2] + 0 }
}
{
	sub(/\r$/, "")
	if (match($0, /(RAW|FILL) kernel=/) && RSTART > 1) $0 = substr($0, RSTART)
}
$1 == "RAW" || $1 == "FILL" {
	arch = kv($0, "arch"); k = kv($0, "kernel"); cpu = kv($0, "cpu"); shim = kv($0, "shim")
	scen = kv($0, "scenario"); mode = (scen ~ /\/fill$/) ? "fill" : "clean"; scen = base(scen)
	u = arch SUBSEP k SUBSEP cpu SUBSEP scen
	if ($1 == "FILL") {
		if (!(u in U_seen)) { U_seen[u] = 1; nu++; units[nu] = u }
		U_lo[u] = kv($0, "lo") + 0; U_hi[u] = kv($0, "hi") + 0; U_inputs[u] = kv($0, "inputs")
		next
	}
	tag = ($0 ~ / before=/) ? "before" : "after"
	R[u, shim, mode, tag] = kv($0, tag)
}
END {
	# the knob: flip one byte of shim/filled in the real data
	if (flip != "")
		for (i = 1; i <= nu; i++) {
			split(units[i], p, SUBSEP)
			h = R[units[i], "on", "fill", "after"]
			if (p[4] != flip_scen || h == "") continue
			v = hb(h, flip_b); nv = (v == "00") ? "5a" : "00"
			R[units[i], "on", "fill", "after"] = substr(h, 1, 2 * flip_b) nv substr(h, 2 * flip_b + 3)
			print "diff: flip=" flip ": " p[1] " " p[2] " cpu=" p[3] " byte " flip_b " " v " -> " nv " in shim/filled"
		}
	for (i = 1; i <= nu; i++) {
		u = units[i]; split(u, p, SUBSEP)
		if (R[u, "off", "fill", "after"] == "" || R[u, "off", "clean", "after"] == "") {
			nviol++; viol[nviol] = p[1] " " p[2] " cpu=" p[3] " " p[4] ": a RAW dump is missing (scenario did not complete in every run)"
			failed++; continue
		}
		check_unit(u, 1, -1, "")
		kc = p[1] SUBSEP p[2] SUBSEP p[3]
		if (!(kc in K_seen)) { K_seen[kc] = 1; nkc++; kcs[nkc] = kc }
		K_units[kc]++; K_off[kc] += C_stale_off; K_on[kc] += C_stale_on; K_chg[kc] += C_changed; K_exc[kc] += C_exc
		if (R[u, "on", "fill", "after"] != "") K_shim[kc] = 1
		# per scenario cell (CPU models merged when equal)
		cell = C_stale_off "/" (K_shim[kc] ? C_stale_on "/" C_changed : "-")
		key = p[1] SUBSEP p[4] SUBSEP p[2]
		if (!(key in cellv)) cellv[key] = cell
		else if (cellv[key] != cell) cellv[key] = cellv[key] "|" p[3] ":" cell
		if (!((p[1], p[4]) in rs)) { rs[p[1], p[4]] = 1; nrs[p[1]]++; rsl[p[1], nrs[p[1]]] = p[4] }
		if (!((p[1], p[2]) in ks)) { ks[p[1], p[2]] = 1; nks[p[1]]++; ksl[p[1], nks[p[1]]] = p[2] }
		checks += 2
		failed += (C_bad_fill > 0) + (C_bad_clean > 0)
	}
	print "== differential proof: kvm_run bytes " (nu ? U_lo[units[1]] ".." U_hi[units[1]] : "-") " after each reported exit, shim off/on x clean/filled (0xa5 before KVM_RUN, inputs spared)"
	printf "%-7s %-26s %-11s %9s %14s %14s %14s %10s\n", "arch", "kernel", "cpu", "scenarios", "stale-no-shim", "stale-shim", "changed-shim", "exceptions"
	for (i = 1; i <= nkc; i++) {
		split(kcs[i], p, SUBSEP)
		printf "%-7s %-26s %-11s %9d %14d %14s %14s %10s\n", p[1], p[2], p[3], K_units[kcs[i]], K_off[kcs[i]],
			K_shim[kcs[i]] ? K_on[kcs[i]] : "-", K_shim[kcs[i]] ? K_chg[kcs[i]] : "-", K_shim[kcs[i]] ? K_exc[kcs[i]] : "-"
	}
	for (a = 1; a <= 2; a++) {
		arch = (a == 1) ? "arm64" : "x86_64"
		if (!nrs[arch]) continue
		printf "\n%s, per scenario: stale bytes without the shim / with the shim / kernel-written bytes changed by the shim\n", arch
		printf "%-26s", "scenario"
		for (j = 1; j <= nks[arch]; j++) printf "  %-24s", ksl[arch, j]
		printf "\n"
		for (r = 1; r <= nrs[arch]; r++) {
			printf "%-26s", rsl[arch, r]
			for (j = 1; j <= nks[arch]; j++) { key = arch SUBSEP rsl[arch, r] SUBSEP ksl[arch, j]; printf "  %-24s", (key in cellv) ? cellv[key] : "-" }
			printf "\n"
		}
	}
	for (x = 1; x <= nx; x++)
		printf "EXCEPTION: %s %s %s bytes %d-%d: %s (%d byte(s) seen)\n", X_arch[x], X_k[x], X_scen[x], X_lo[x], X_hi[x], X_why[x], X_used[x]
	# the control: a unit with the shim, a kernel-written byte and an unwritten one
	ctl = 0
	for (i = 1; i <= nu && !ctl; i++) {
		u = units[i]
		if (R[u, "on", "fill", "after"] == "" || R[u, "off", "fill", "after"] == "") continue
		wb = ub = -1
		for (b = U_lo[u]; b <= U_hi[u]; b++) {
			if (isinput(u, b)) continue
			if (hb(R[u, "off", "fill", "after"], b) != "a5") { if (wb < 0) wb = b }
			else if (ub < 0) ub = b
		}
		if (wb < 0 || ub < 0) continue
		ctl = 1
		check_unit(u, 0, -1, ""); c0 = C_bad_fill; ch0 = C_changed; st0 = C_stale_on
		v = hb(R[u, "on", "fill", "after"], wb)
		check_unit(u, 0, wb, v == "5a" ? "a5" : "5a"); okw = (C_changed == ch0 + 1)
		check_unit(u, 0, ub, "5a"); oku = (C_stale_on == st0 + 1)
		split(u, p, SUBSEP)
		printf "diff: control on %s %s cpu=%s %s: kernel-written byte %d flipped in shim/filled: %s; unwritten byte %d set to 5a: %s\n", p[1], p[2], p[3], p[4], wb, okw ? "reported" : "NOT REPORTED", ub, oku ? "reported" : "NOT REPORTED"
		checks++
		if (!okw || !oku) { failed++; nviol++; viol[nviol] = "control: the check did not report a planted violation" }
	}
	if (!ctl && nu) { checks++; failed++; nviol++; viol[nviol] = "control: no unit with the shim to plant a violation in" }
	for (i = 1; i <= nviol; i++) print "DIFF-FAIL: " viol[i]
	printf "diff: %d scenario runs, %d checks, %d failed\n", nu, checks, failed
	if (!nu) { print "diff: no FILL lines: nothing compared"; failed++ }
	printf "%d passed, %d failed\n", checks - failed, failed
	exit failed ? 1 : 0
}

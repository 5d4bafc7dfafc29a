# SPDX-License-Identifier: LGPL-2.1-or-later
# abi-ci.awk - issue 12 on real kernels, from the serial consoles:
#   on 6.12, the careless VMM of tests/abi-ci-vmm.h fails (status 101) under
#   KVMRUN_COMPAT_ABI=5.10 + POISON and passes with the shim alone; the
#   careful one passes both ways;
#   on 6.1 and 6.12, kvmrun-compat --probe --abi=5.10 exits 0 and lists
#   KVM_CAP_SYSTEM_EVENT_DATA (215) as hidden and the exit ABI rows.
# Ends with "N passed, M failed".   awk -f abi-ci.awk console.txt
function check(ok, what) {
	if (ok) { passed++; print "ABI-CI ok: " what }
	else { failed++; print "ABI-CI-FAIL: " what }
}
function endblock(   k, want, m, a) {
	if (kernel == "")
		return
	if (noshim) { print "ABI-CI skipped: " kernel " ran without the shim"; kernel = ""; return }
	split(kernel, k, ".")
	if (k[1] == 6 && k[2] == 12) {
		want["careless none"] = 0; want["careless 5.10"] = 101
		want["careful none"] = 0; want["careful 5.10"] = 0
		for (m in want)
			check((m in st) && st[m] == want[m] && fl[m] == 0,
			      kernel " " arch ": " m (m ~ /5.10/ ? " poison" : "") " status " \
			      ((m in st) ? st[m] : "missing") " (want " want[m] ", set-up failures " fl[m] + 0 ")" \
			      ((m in msg) && msg[m] != "-" ? ": " msg[m] : ""))
	}
	if (k[1] == 6 && (k[2] == 1 || k[2] == 12)) {
		check(probe_st == "0" && hid215 && rows,
		      kernel ": kvmrun-compat --probe --abi=5.10 exit " (probe_st == "" ? "missing" : probe_st) \
		      ", 215 hidden " (hid215 ? "yes" : "no") ", exit ABI rows " rows)
	}
	kernel = ""
}
{	# the firmware's terminal escapes may precede a line (as in report.awk)
	if (match($0, /(REALKVM-[A-Z-]+|ABICI|ABIPROBE-EXIT|ABIPROBE) /) && RSTART > 1)
		$0 = substr($0, RSTART)
}
/^REALKVM-BOOT / {
	endblock()
	kernel = $2; sub(/^kernel=/, "", kernel)
	split("", st); split("", fl); split("", msg)
	probe_st = ""; hid215 = 0; rows = 0; noshim = 0; arch = ""
	next
}
/^REALKVM-NOSHIM / { noshim = 1; next }
/^ABICI / {
	mode = ""; abi = ""
	for (i = 2; i <= NF; i++) {
		if ($i ~ /^mode=/) mode = substr($i, 6)
		if ($i ~ /^abi=/) abi = substr($i, 5)
		if ($i ~ /^arch=/) arch = substr($i, 6)
		if ($i ~ /^status=/) s = substr($i, 8)
		if ($i ~ /^failures=/) f = substr($i, 10)
	}
	m = mode " " abi
	st[m] = s; fl[m] = f
	msg[m] = $0; sub(/^.* msg=/, "", msg[m])
	next
}
/^ABIPROBE-EXIT / { probe_st = $2; sub(/^status=/, "", probe_st); next }
/^ABIPROBE KVM_CAP_SYSTEM_EVENT_DATA +215 +hidden/ { hid215 = 1; next }
/^ABIPROBE [a-z0-9_]+\.(flags|exit|debug|system_event|hypercall|fail_entry)\./ { rows++; next }
/^REALKVM-END / { endblock(); next }
END {
	endblock()
	print passed + 0 " passed, " failed + 0 " failed"
	exit failed > 0
}

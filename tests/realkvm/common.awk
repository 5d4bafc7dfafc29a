# SPDX-License-Identifier: LGPL-2.1-or-later
#
# common.awk - helpers shared by report.awk and compare.awk (load it first:
# awk -f common.awk -f report.awk ...).

function vnum(k,   a, n) { # "6.12.107+deb13-arm64" -> 6012107
	n = split(k, a, /[.+-]/)
	return (a[1] + 0) * 1000000 + (a[2] + 0) * 1000 + (a[3] + 0)
}
# Does kernel k match the predicate "*", "<X.Y", ">=X.Y" or "=X.Y" (major.minor)?
function kmatch(pred, k,   v, p) {
	if (pred == "*") return 1
	v = vnum(k)
	if (pred ~ /^>=/) { p = substr(pred, 3); return v >= vnum(p) }
	if (pred ~ /^</) { p = substr(pred, 2); return v < vnum(p) }
	if (pred ~ /^=/) { p = substr(pred, 2); return int(v / 1000) == int(vnum(p) / 1000) }
	return 0
}
# The value of key=value in a console line ("" when absent).
function kv(line, key,   re) {
	re = " " key "=[^ ]*"
	if (match(" " line, re)) return substr(" " line, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
	return ""
}
# A hex number without 0x and leading zeros, for comparisons ("0" for zero).
function hexz(v) { sub(/^0x0*/, "", v); return v == "" ? "0" : v }

# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/lib.sh - the preamble of every shell test, sourced after `set -eu`:
#   . "$top_srcdir/tests/lib.sh"
# The harness (AM_TESTS_ENVIRONMENT) sets top_srcdir, top_builddir and the
# built objects: KVMRC_LIB (link library), KVMRC_SHIM (preload object),
# KVMRC_EMU (KVM emulator).  Provides:
#   $tmp                    a private directory, removed at exit
#   ok TEXT                 one passed check ("ok N - TEXT")
#   no TEXT [DETAIL...]     one failed check; the test goes on, finish fails
#   skip_all REASON         nothing can be checked here: exit 77
#   fail_now TEXT           the test cannot go on (a harness error): exit 99
#   finish                  exit 1 if any check failed, else 0
# Exit statuses are automake's: 0 pass, 1 fail, 77 skip, 99 hard error.

kvmrc_t_n=0
kvmrc_t_failed=0
ok() { kvmrc_t_n=$((kvmrc_t_n + 1)); echo "ok $kvmrc_t_n - $1"; }
no() {
	kvmrc_t_n=$((kvmrc_t_n + 1)); echo "not ok $kvmrc_t_n - $1"; shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
	kvmrc_t_failed=$((kvmrc_t_failed + 1))
}
skip_all() { echo "1..0 # SKIP $1"; exit 77; }
fail_now() { echo "Bail out! $1"; exit 99; }
finish() {
	echo "1..$kvmrc_t_n"
	[ "$kvmrc_t_failed" -eq 0 ] || { echo "# $kvmrc_t_failed of $kvmrc_t_n checks failed"; exit 1; }
	exit 0
}

for v in top_srcdir top_builddir KVMRC_LIB KVMRC_SHIM KVMRC_EMU; do
	eval "[ -n \"\${$v:-}\" ]" || fail_now "$v is not set: run the test through make check"
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmrc-test.XXXXXX") || fail_now "mktemp failed"
trap 'rm -rf "$tmp"' EXIT

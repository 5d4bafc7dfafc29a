#!/bin/sh
# run.sh --top-srcdir DIR --top-builddir DIR - the deployment recipes of
# docs/deploy/ with the real daemons (make check-deploy; see README.md here).
# Needs root: it starts libvirtd and mounts in a private mount namespace.
# Installs what it needs with apt-get (tools/deps.sh deploy) unless
# KVMRC_DEPLOY_NO_INSTALL=1.  Exit 0 when every check passed, 1 when one
# failed, 77 (one line "deploy: SKIP: ...") when this machine cannot run them.
set -u
srcdir='' builddir=''
while [ $# -gt 0 ]; do
	case $1 in
	--top-srcdir) srcdir=$2; shift 2 ;;
	--top-builddir) builddir=$2; shift 2 ;;
	*) echo "usage: run.sh --top-srcdir DIR --top-builddir DIR" >&2; exit 2 ;;
	esac
done
srcdir=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
builddir=$(cd "${builddir:-.}" && pwd)
skip() { echo "deploy: SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (libvirtd, mounts in a private namespace)"
[ "$(uname -m)" = x86_64 ] || skip "the test guest and domains are x86_64 (host is $(uname -m))"
if [ "${KVMRC_DEPLOY_NO_INSTALL:-0}" != 1 ]; then
	"$srcdir/tools/deps.sh" deploy || skip "cannot install libvirt, QEMU and systemd with apt-get"
fi
for p in /usr/sbin/libvirtd /usr/bin/virsh /usr/bin/qemu-system-x86_64 /usr/bin/systemd-analyze; do
	[ -x "$p" ] || skip "$p missing (KVMRC_DEPLOY_NO_INSTALL=1 and not installed)"
done
unshare --mount --propagation private true 2>/dev/null ||
	skip "cannot create a mount namespace (unshare --mount: a container without CAP_SYS_ADMIN?)"

# the configured installation directories, from the build's own Makefile
var() { make -s -C "$builddir" --no-print-directory -f Makefile -f - print-"$1" <<EOF
print-$1:
	@echo \$($1)
EOF
}
PREFIX=$(var prefix) BINDIR=$(var bindir) PKGLIBEXECDIR=$(var pkglibexecdir)
SYSCONFDIR=$(var sysconfdir) STATSDIR=$(var statsdir) PKGLIBDIR=$(var pkglibdir)
case $BINDIR$PKGLIBEXECDIR$SYSCONFDIR$STATSDIR$PKGLIBDIR in
"$PREFIX"/*"$PREFIX"/*"$PREFIX"/*"$PREFIX"/*"$PREFIX"/*) ;;
*) skip "installation directories outside the prefix $PREFIX (only the prefix is mounted)" ;;
esac
case $PREFIX in
/|/usr) skip "prefix $PREFIX: the test mounts the installed tree over the prefix (configure with the default /usr/local)" ;;
esac
[ -d "$PREFIX" ] || skip "the prefix $PREFIX does not exist (the installed tree is mounted on it)"

WORK=$builddir/tests/deploy/work
rm -rf "$WORK" && mkdir -p "$WORK/logs"
DESTDIR=$WORK/destdir
# what `make install` lays out, seen at the real paths only in the namespace
if ! make -s -C "$builddir" install DESTDIR="$DESTDIR" >"$WORK/logs/install.log" 2>&1; then
	tail -n 20 "$WORK/logs/install.log"; echo "FAIL: make install DESTDIR=..."; exit 1
fi
# the demo VMM (a check program) for the journal and stats checks
if ! make -s -C "$builddir" tools/demo-vmm >>"$WORK/logs/install.log" 2>&1; then
	tail -n 20 "$WORK/logs/install.log"; echo "FAIL: make tools/demo-vmm"; exit 1
fi
export DESTDIR PREFIX BINDIR PKGLIBEXECDIR PKGLIBDIR SYSCONFDIR STATSDIR WORK SRCDIR="$srcdir" BUILDDIR="$builddir"

out=$WORK/results.txt
: >"$out"
for t in ${KVMRC_DEPLOY_PARTS:-libvirt apparmor systemd}; do
	echo "== deploy: $t"
	# each part in its own private mount namespace, bounded
	{ timeout -k 10 600 unshare --mount --propagation private sh "$srcdir/tests/deploy/$t.sh" 2>&1
	  echo "EXIT: $t $?"; } | tee -a "$out" | grep -v '^EXIT: '
	st=$(sed -n "s/^EXIT: $t //p" "$out")
	if [ "$st" != 0 ] && ! grep -q "^FAIL: $t:" "$out"; then
		echo "FAIL: $t: exit status $st" | tee -a "$out"
	fi
done
passed=$(grep -c '^PASS: ' "$out")
failed=$(grep -c '^FAIL: ' "$out")
echo "deploy: $passed passed, $failed failed (logs in $WORK/logs)"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]

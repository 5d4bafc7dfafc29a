#!/bin/sh
# apparmor.sh - the AppArmor answer for libvirt domains.  When AppArmor is
# active, libvirt confines each QEMU with a profile built from
# /etc/apparmor.d/libvirt/TEMPLATE.qemu, which includes
# abstractions/libvirt-qemu and so local/abstractions/libvirt-qemu, where
# docs/deploy/apparmor-libvirt-qemu goes.  This compiles that template with
# the snippet appended, as apparmor_parser would load it (and, as a control,
# with a broken line appended, which must not compile).  Whether the domain
# then runs confined is a real run only on a host where AppArmor is enabled:
# this says which case it is.
set -u
pass() { echo "PASS: apparmor: $*"; }
fail() { echo "FAIL: apparmor: $*"; }
if [ -r /sys/module/apparmor/parameters/enabled ] && [ "$(cat /sys/module/apparmor/parameters/enabled)" = Y ]; then
	echo "deploy-apparmor: AppArmor is enabled on this kernel"
else
	echo "deploy-apparmor: AppArmor is not enabled on this kernel: libvirt runs QEMU unconfined here;" \
		"the snippet is checked by compiling the domain profile template only"
fi
[ -x /sbin/apparmor_parser ] || [ -x /usr/sbin/apparmor_parser ] ||
	{ fail "apparmor_parser missing (package apparmor)"; exit 1; }
[ -r /etc/apparmor.d/libvirt/TEMPLATE.qemu ] || { fail "no libvirt TEMPLATE.qemu (libvirt-daemon-system)"; exit 1; }
t=$WORK/apparmor.d
rm -rf "$t" && mkdir -p "$t" && cp -a /etc/apparmor.d/. "$t/"
compile() { apparmor_parser --skip-kernel-load --skip-cache --base "$t" -I "$t" -o /dev/null \
	"$t/libvirt/TEMPLATE.qemu" 2>"$WORK/logs/apparmor.err"; }
cat "$SRCDIR/docs/deploy/apparmor-libvirt-qemu" >>"$t/local/abstractions/libvirt-qemu"
if compile; then pass "libvirt's domain profile template compiles with the snippet"
else fail "the domain profile template does not compile with the snippet:"; cat "$WORK/logs/apparmor.err"; fi
echo '  /kvmrc/control rwzq,' >>"$t/local/abstractions/libvirt-qemu"
if compile; then fail "control: a broken rule compiled too (the check cannot fail)"
else pass "control: a broken rule in the snippet does not compile"; fi

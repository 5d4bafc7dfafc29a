#!/bin/sh
# libvirt.sh - the shim under a real libvirtd (Debian's libvirt-daemon-system)
# starting QEMU through the installed emulator wrapper.  run.sh runs it as
# root inside a private mount namespace (unshare --mount), so every path it
# mounts over is private: /etc/libvirt, /run, /var/{lib,cache,log}/libvirt,
# the install prefix (`make install DESTDIR=...` mounted on it) and, when KVM works, /dev/kvm.  Nothing outside the namespace changes.
#
# Environment (from run.sh): DESTDIR PREFIX BINDIR PKGLIBEXECDIR SYSCONFDIR
# STATSDIR SRCDIR WORK.  Prints one line per check, "PASS: ..." or
# "FAIL: ...", and exits 1 if any failed.
set -u
say() { echo "deploy-libvirt: $*"; }
failures=0
pass() { echo "PASS: libvirt: $*"; }
fail() { echo "FAIL: libvirt: $*"; failures=$((failures + 1)); }
# check DESCRIPTION COMMAND...: one PASS/FAIL line
check() { d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }

ns=$WORK/ns
virsh() { timeout 120 /usr/bin/virsh -q -c qemu:///system "$@"; }

# ---- private file system ---------------------------------------------------
mkdir -p "$ns" "$WORK/logs"
mount -t tmpfs -o mode=0755 kvmrc-deploy "$ns" || { say "cannot mount a tmpfs"; exit 1; }
mkdir -p "$ns/etc-libvirt/qemu" "$ns/etc-libvirt/hooks"
# a bind mount, not an overlay: a file mapped from an overlay shows another
# device number in /proc/PID/maps than stat() gives
mount --bind "$DESTDIR$PREFIX" "$PREFIX" || { say "cannot mount the installed files on $PREFIX"; exit 1; }
for d in /run /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
	mkdir -p "$d" && mount -t tmpfs -o mode=0755 kvmrc-deploy "$d" || { say "cannot mount $d"; exit 1; }
done
cat >"$ns/etc-libvirt/libvirtd.conf" <<EOF
unix_sock_group = "root"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
# stdio_handler: QEMU's stderr to a file, without virtlogd; no cgroups: a
# host without systemd would get libvirt's machine cgroups in the real tree
cat >"$ns/etc-libvirt/qemu.conf" <<EOF
stdio_handler = "file"
cgroup_controllers = [ ]
EOF
: >"$ns/etc-libvirt/libvirt.conf"
mount --bind "$ns/etc-libvirt" /etc/libvirt || { say "cannot mount /etc/libvirt"; exit 1; }
mkdir -p /var/lib/libvirt/images /var/log/libvirt/qemu

quser=$(id -un libvirt-qemu 2>/dev/null) || { say "no libvirt-qemu user (libvirt-daemon-system)"; exit 1; }
qgroup=$(id -gn libvirt-qemu)

# KVM when this machine has it: a private device node that the QEMU user's
# group may open (Debian's udev rule does the same: root:kvm 0660)
kvm=0
if "$BINDIR/kvmrun-compat" --probe >/dev/null 2>&1; then
	mknod "$ns/kvm" c 10 232 && chown root:kvm "$ns/kvm" && chmod 0660 "$ns/kvm" &&
		mount --bind "$ns/kvm" /dev/kvm && kvm=1
fi

# the shim's per-domain stats directory, writable by the QEMU user
install -d -o "$quser" -g "$qgroup" -m 0750 "$STATSDIR"

# ---- libvirtd --------------------------------------------------------------
/usr/sbin/libvirtd --pid-file "$ns/libvirtd.pid" >"$WORK/logs/libvirtd.out" 2>&1 &
daemon=$!
qemu_pids=
cleanup() {
	for dom in $(virsh list --name 2>/dev/null); do virsh destroy "$dom" >/dev/null 2>&1; done
	for p in $qemu_pids; do kill -KILL "$p" 2>/dev/null; done
	kill -TERM "$daemon" 2>/dev/null
	i=0
	while kill -0 "$daemon" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	kill -KILL "$daemon" 2>/dev/null
	wait "$daemon" 2>/dev/null
	cp /var/log/libvirt/libvirtd.log /var/log/libvirt/qemu/*.log "$WORK/logs/" 2>/dev/null
	# QEMU's stderr goes to /var/log/libvirt/qemu/NAME.log
}
trap cleanup EXIT
i=0
until virsh version >/dev/null 2>&1; do
	if ! kill -0 "$daemon" 2>/dev/null || [ $i -ge 120 ]; then
		say "libvirtd did not come up:"; tail -n 20 "$WORK/logs/libvirtd.out" /var/log/libvirt/libvirtd.log 2>/dev/null
		exit 1
	fi
	sleep 0.5; i=$((i + 1))
done
say "libvirtd $(virsh version 2>/dev/null | sed -n 's/.*libvirt \([0-9.]*\).*/\1/p;' | head -n 1) up, pid $daemon; KVM for the QEMU user: $([ $kvm = 1 ] && echo yes || echo no)"

wrapper=$PKGLIBEXECDIR/qemu-system-x86_64
library=$("$BINDIR/kvmrun-compat" --version | sed -n 's/^library: \([^ ]*\) .*/\1/p')
say "emulator $wrapper; the wrapper preloads $library"

# ---- capability probe through the wrapper ----------------------------------
# libvirt runs the emulator with -qmp ... -machine none and asks over QMP
probe() { # EMULATOR: virsh domcapabilities lists it as the domain's emulator
	virsh domcapabilities --emulatorbin "$1" --arch x86_64 --virttype qemu >"$WORK/logs/${1##*/}.caps.xml" 2>&1 &&
		grep -q "<path>$1</path>" "$WORK/logs/${1##*/}.caps.xml"
}
check "capability probe (QEMU run with -qmp) through the wrapper: virsh domcapabilities" probe "$wrapper"
# control: a wrapper link whose QEMU does not exist (the wrapper exits 127)
ln -s emulator "$PKGLIBEXECDIR/qemu-system-kvmrcnone"
noprobe() { ! probe "$1"; }
check "control: the probe fails through a wrapper link to a missing QEMU" noprobe "$PKGLIBEXECDIR/qemu-system-kvmrcnone"
rm -f "$PKGLIBEXECDIR/qemu-system-kvmrcnone"

# ---- domains ---------------------------------------------------------------
# domain NAME TYPE EXAMPLE EMULATOR: define and start a domain made from a
# shipped example; sets $pid and $serial
domain() {
	name=$1 type=$2 example=$3 emu=$4
	serial=/var/log/libvirt/qemu/$name.serial
	sed -e "s|<name>[^<]*</name>|<name>$name</name>|" \
	    -e "s|<domain type='[a-z]*'|<domain type='$type'|" \
	    -e "s|<emulator>[^<]*</emulator>|<emulator>$emu</emulator>|" \
	    -e "s|/var/lib/libvirt/images/[^']*|/var/lib/libvirt/images/kvmrc-guest.img|" \
	    -e "s|/var/log/libvirt/qemu/[^']*\.serial|$serial|" \
	    -e "s|value='[^']*libkvmrun-compat[^']*'|value='$library'|" \
	    "$SRCDIR/docs/deploy/$example" >"$WORK/$name.xml"
	pid=
	virsh define "$WORK/$name.xml" >/dev/null || { fail "$name: virsh define"; return 1; }
	if ! virsh start "$name" >/dev/null; then
		fail "$name: virsh start"; tail -n 5 "/var/log/libvirt/qemu/$name.log" 2>/dev/null; return 1
	fi
	pass "$name: virsh start ($type, $example)"
	pid=$(cat "/run/libvirt/qemu/$name.pid" 2>/dev/null)
	[ -n "$pid" ] && qemu_pids="$qemu_pids $pid"
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || { fail "$name: no QEMU pid"; return 1; }
	return 0
}
booted() { # wait (bounded) for the guest's line on its serial port
	i=0
	while [ $i -lt 240 ]; do
		grep -q KVMRC-GUEST-BOOTED "$serial" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.5; i=$((i + 1))
	done
	return 1
}
mapped() { grep -q 'libkvmrun-compat' "/proc/$1/maps"; }
destroy() { # NAME: virsh destroy, and the QEMU process is gone
	virsh destroy "$1" >/dev/null || { fail "$1: virsh destroy"; return; }
	i=0
	while [ -d "/proc/$pid" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	check "$1: virsh destroy ends QEMU (pid $pid)" test ! -d "/proc/$pid"
	virsh undefine "$1" >/dev/null 2>&1
}

sh "$SRCDIR/tests/deploy/guest.sh" /var/lib/libvirt/images/kvmrc-guest.img

# 1. the shipped domain example: TCG, the wrapper as <emulator>
if domain kvmrc-wrapper qemu libvirt-domain.xml "$wrapper"; then
	check "kvmrc-wrapper: guest booted (its line on the serial port)" booted
	check "kvmrc-wrapper: QEMU pid $pid has the shim mapped" mapped "$pid"
	exe=$(readlink "/proc/$pid/exe")
	check "kvmrc-wrapper: pid $pid is QEMU itself ($exe), the wrapper exec()ed it" \
		test "$exe" = /usr/bin/qemu-system-x86_64
	log=/var/log/libvirt/qemu/kvmrc-wrapper.log
	check "kvmrc-wrapper: the wrapper's own load check agrees (no complaint in $log)" \
		sh -c "! grep 'kvmrun-compat:' $log"
	user=$(ps -o user= -p "$pid")
	check "kvmrc-wrapper: QEMU runs as $quser, as libvirt configured it" test "$user" = "$quser"
	destroy kvmrc-wrapper
	# TCG: QEMU never opens /dev/kvm, the shim tracks no vCPU and the
	# library writes no stats then (or, before that rule, a file with no
	# vCPU in it)
	st=$STATSDIR/kvmrc-wrapper.json
	if [ -e "$st" ]; then
		check "kvmrc-wrapper: TCG stats name QEMU's pid and no vCPU" \
			python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["pid"]==int(sys.argv[2]) and not s["vcpus"]' "$st" "$pid"
	else
		say "kvmrc-wrapper: no stats file under TCG (the library writes none for a process that never used KVM)"
	fi
fi

# 2. control: the same domain with the plain QEMU has no shim
if domain kvmrc-plain qemu libvirt-domain.xml /usr/bin/qemu-system-x86_64; then
	check "control kvmrc-plain: guest booted" booted
	check "control kvmrc-plain: plain QEMU pid $pid has no shim mapped" sh -c "! grep -q libkvmrun-compat /proc/$pid/maps"
	destroy kvmrc-plain
fi

# 3. the per-domain alternative: <qemu:env name='LD_PRELOAD'> with the plain QEMU
if domain kvmrc-env qemu libvirt-qemu-env.xml /usr/bin/qemu-system-x86_64; then
	check "kvmrc-env: guest booted" booted
	check "kvmrc-env: <qemu:env> LD_PRELOAD: QEMU pid $pid has the shim mapped" mapped "$pid"
	destroy kvmrc-env
fi

# 4. KVM, when this machine has it: the shim tracks the vCPU and writes
# the domain's stats where the wrapper puts them
if [ $kvm = 1 ]; then
	st=$STATSDIR/kvmrc-kvm.json
	rm -f "$st"
	if domain kvmrc-kvm kvm libvirt-domain.xml "$wrapper"; then
		check "kvmrc-kvm: guest booted" booted
		check "kvmrc-kvm: QEMU pid $pid has the shim mapped" mapped "$pid"
		destroy kvmrc-kvm
		check "kvmrc-kvm: stats in $st name QEMU's pid $pid and its vCPU with KVM_RUNs" \
			python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["pid"]==int(sys.argv[2]), s["pid"]; n=len(s["vcpus"])+s.get("retired_vcpus",0); r=sum(v["runs"] for v in s["vcpus"])+s.get("retired_runs",0); assert n>=1 and r>0, (n, r)' "$st" "$pid"
		cp "$st" "$WORK/logs/" 2>/dev/null
	fi
else
	say "KVM domain left out: /dev/kvm is absent or does not work on this machine"
fi

grep -h "<qemuctime>" /var/cache/libvirt/qemu/capabilities/*.xml >/dev/null 2>&1 &&
	say "libvirt cached the probe keyed on the emulator file's ctime (<qemuctime>)"
exit $((failures > 0))

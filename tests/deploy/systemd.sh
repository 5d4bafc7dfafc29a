#!/bin/sh
# systemd.sh - the systemd drop-ins of docs/deploy/ on a real systemd, and the
# shim's syslog messages in a real journal.  run.sh runs it as root in a
# private mount namespace.  It checks the units offline with
# `systemd-analyze verify`, then boots systemd as PID 1 of new PID, mount,
# cgroup, UTS, IPC and network namespaces (a container, with private /dev,
# /run, /tmp, /etc/systemd/system, /var/lib and journal), with a target of
# its own that starts only journald, and there:
#   - a QEMU service (TCG, the test guest) without the drop-in: no shim
#     mapped (the control); with systemd-environment.conf: shim mapped;
#   - a service whose ExecStart= systemd-wrapper.conf replaces: QEMU under
#     the wrapper, shim mapped;
#   - the demo VMM on the user-space KVM emulator with
#     systemd-environment.conf: its "vCPU 0" messages in the journal under
#     the unit with the VMM's pid, and its stats in the StateDirectory.
# When this machine cannot boot a systemd (no cgroup file system it may
# write, ...) it says so and the offline checks are all there is.
# The only things outside the namespaces: a cgroup kvmrc-deploy-PID below our
# own in each hierarchy (systemd's root there), removed at the end.
set -u
say() { echo "deploy-systemd: $*"; }
failures=0
pass() { echo "PASS: systemd: $*"; }
fail() { echo "FAIL: systemd: $*"; failures=$((failures + 1)); }
check() { d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }

ns=$WORK/sd
mkdir -p "$ns" "$WORK/logs"
mount -t tmpfs -o mode=0755 kvmrc-deploy "$ns" || { say "cannot mount a tmpfs"; exit 1; }
mount --bind "$DESTDIR$PREFIX" "$PREFIX" || { say "cannot mount the installed files on $PREFIX"; exit 1; }
library=$("$BINDIR/kvmrun-compat" --version | sed -n 's/^library: \([^ ]*\) .*/\1/p')
emu=$PKGLIBDIR/libkvmrun-emu.so
# the files the units use, in $ns: /run/kvmrc in systemd's namespace
sdroot=/run/kvmrc
cp "$BUILDDIR/tools/demo-vmm" "$ns/demo-vmm"
demo=$sdroot/demo-vmm
qemu=/usr/bin/qemu-system-x86_64
sh "$SRCDIR/tests/deploy/guest.sh" "$ns/guest.img"
img=$sdroot/guest.img
qemu_cmd() { # SERIAL: the VMM of the QEMU services
	echo "$qemu -machine pc,accel=tcg -m 32 -display none -monitor none -nodefaults" \
		"-drive file=$img,format=raw,if=ide -serial file:$1"
}

# ---- the units -------------------------------------------------------------
units=$ns/units
mkdir -p "$units"
# dropin EXAMPLE UNIT: the shipped drop-in with this machine's paths
dropin() {
	mkdir -p "$units/$2.d"
	sed -e "s|^Environment=LD_PRELOAD=.*|Environment=LD_PRELOAD=$library|" \
	    -e "s|/usr/bin/kvmrun-compat |$BINDIR/kvmrun-compat |" \
	    -e "s| -- /usr/bin/cloud-hypervisor .*| -- $(qemu_cmd /run/$2.serial)|" \
	    "$SRCDIR/docs/deploy/$1" >"$units/$2.d/kvmrun-compat.conf"
}
cat >"$units/kvmrc-qemu.service" <<EOF
[Unit]
Description=a VMM (QEMU, TCG) for the kvmrun-compat drop-in test
DefaultDependencies=no
[Service]
ExecStart=$(qemu_cmd /run/kvmrc-qemu.service.serial)
EOF
cat >"$units/kvmrc-wrapped.service" <<EOF
[Unit]
Description=a VMM whose ExecStart the kvmrun-compat wrapper drop-in replaces
DefaultDependencies=no
[Service]
ExecStart=/bin/false
EOF
dropin systemd-wrapper.conf kvmrc-wrapped.service
cat >"$units/kvmrc-demo.service" <<EOF
[Unit]
Description=the demo VMM on the user-space KVM emulator, looping on an unrunnable vCPU
DefaultDependencies=no
[Service]
Type=oneshot
RemainAfterExit=yes
Environment=KVMEMU_PROFILE=arm64-6.1 KVMRUN_COMPAT_ARCH=arm64 KVMRUN_COMPAT_LOG_LEVEL=info
Environment="KVMEMU_SCENARIO=mmio addr=0x4242000000000001 len=4 write=1 data=0x77665544; aarch32_el0"
ExecStart=-/usr/bin/env LD_PRELOAD=\${LD_PRELOAD}:$emu $demo --loop-on-error 20
EOF
dropin systemd-environment.conf kvmrc-demo.service

# ---- offline: systemd-analyze verify ---------------------------------------
verify() { # UNIT: loads the unit and its drop-ins from $units
	SYSTEMD_UNIT_PATH=$units: systemd-analyze verify --man=no "$units/$1" >"$WORK/logs/verify-$1.log" 2>&1
}
dropin systemd-environment.conf kvmrc-qemu.service
for u in kvmrc-qemu.service kvmrc-wrapped.service kvmrc-demo.service; do
	check "systemd-analyze verify $u with its drop-in" verify $u
done
# control: a drop-in naming a wrapper that is not there
mkdir -p "$units/kvmrc-bad.service.d"
printf '[Service]\nExecStart=/bin/true\n' >"$units/kvmrc-bad.service"
printf '[Service]\nExecStart=\nExecStart=%s/kvmrun-compat-missing -- /bin/true\n' "$BINDIR" \
	>"$units/kvmrc-bad.service.d/kvmrun-compat.conf"
noverify() { ! verify "$1"; }
check "control: systemd-analyze verify fails on a drop-in whose command is missing" noverify kvmrc-bad.service
rm -rf "$units/kvmrc-bad.service" "$units/kvmrc-bad.service.d"
rm -rf "$units/kvmrc-qemu.service.d"    # the real run starts it without first

# ---- a systemd of our own --------------------------------------------------
# Our own cgroup in every hierarchy (under the one we are in), which the
# cgroup namespace makes systemd's root: whatever it creates stays below.
cg=kvmrc-deploy-$$
cgdirs=$(python3 - "$cg" <<'EOF'
import os, sys
mine = {}
for line in open("/proc/self/cgroup"):
    _, ctrl, path = line.rstrip("\n").split(":", 2)
    mine[ctrl] = path
skip = ("rw", "ro", "clone_children", "noprefix", "xattr", "nsdelegate", "favordynmods",
        "cpuset_v2_mode", "memory_localevents", "memory_recursiveprot")
for line in open("/proc/self/mountinfo"):
    pre, post = line.split(" - ")
    fstype, _, opts = post.split()[:3]
    if fstype not in ("cgroup", "cgroup2"):
        continue
    key = "" if fstype == "cgroup2" else ",".join(
        o for o in opts.split(",") if o not in skip and not o.startswith("release_agent="))
    if key in mine:
        print(os.path.join(pre.split()[4], mine[key].lstrip("/"), sys.argv[1]))
EOF
)
made='' cgok=0
[ -n "$cgdirs" ] && cgok=1
for d in $cgdirs; do
	mkdir "$d" 2>/dev/null || { cgok=0; break; }
	made="$made $d"
	# a v1 cpuset cgroup takes no task before it has CPUs and memory nodes
	[ -e "$d/cpuset.cpus" ] && cat "$d/../cpuset.cpus" >"$d/cpuset.cpus" && cat "$d/../cpuset.mems" >"$d/cpuset.mems"
done
# Units with default dependencies would pull in sysinit.target, whose
# services act on the whole machine (systemd-tmpfiles empties /tmp,
# systemd-sysctl, utmp, ...): the test units have none, those units are
# masked, and the root file system, /proc/sys and /sys are read-only in
# systemd's namespaces, with tmpfs on the places it writes.
masked="sysinit.target basic.target sockets.target timers.target paths.target local-fs.target
	local-fs-pre.target swap.target cryptsetup.target veritysetup.target integritysetup.target
	systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service systemd-tmpfiles-clean.service
	systemd-sysctl.service systemd-update-utmp.service systemd-sysusers.service systemd-binfmt.service
	systemd-modules-load.service systemd-remount-fs.service systemd-udevd.service
	systemd-udev-trigger.service systemd-random-seed.service systemd-journal-flush.service
	systemd-machine-id-commit.service systemd-firstboot.service systemd-repart.service"
cat >"$ns/boot.sh" <<EOF
#!/bin/sh
# PID 1 of the new namespaces: private, mostly read-only file systems, then systemd
set -e
mkdir -p $ns/hostdev && mount --bind /dev $ns/hostdev
mount -t tmpfs -o mode=0755,nosuid kvmrc-dev /dev
for n in null zero full random urandom tty; do
	touch /dev/\$n && mount --bind $ns/hostdev/\$n /dev/\$n
done
mkdir -p /dev/shm /dev/pts && mount -t tmpfs -o mode=1777 kvmrc-shm /dev/shm
ln -s /proc/self/fd /dev/fd
umount $ns/hostdev
mount -t tmpfs -o mode=0755 kvmrc-run /run
mkdir -p $sdroot && mount --bind $ns $sdroot
for d in /tmp /var/tmp /var/lib /var/log /etc/systemd/system; do
	mount -t tmpfs -o mode=0755 kvmrc-deploy \$d
done
chmod 1777 /tmp /var/tmp
mkdir -p /var/log/journal
cp -a $sdroot/units/. /etc/systemd/system/
for u in $(echo $masked); do ln -sf /dev/null /etc/systemd/system/\$u; done
cat >/etc/systemd/system/kvmrc.target <<EOT
[Unit]
Description=kvmrun-compat deployment test
DefaultDependencies=no
Wants=systemd-journald.service systemd-journald.socket systemd-journald-dev-log.socket
EOT
# cgroup file systems mounted anew in the cgroup namespace are rooted at
# our kvmrc-deploy-PID cgroups; the inherited mounts show the real roots,
# where systemd would put its cgroups
awk '{ for (i = 1; i <= NF; i++) if (\$i == "-") break; t = \$(i + 1)
	if (t == "cgroup" || t == "cgroup2") print \$5, t, \$(i + 3) }' /proc/self/mountinfo |
while read -r mnt type opts; do
	umount \$mnt && mount -t \$type -o \$opts kvmrc-cgroup \$mnt
done
mount -o remount,bind,ro /
mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys
mount -o remount,bind,ro /sys
exec /lib/systemd/systemd --system --unit=kvmrc.target --log-target=journal --log-level=notice
EOF
sd_pid=
runner=
cleanup() {
	if [ -n "$sd_pid" ] && kill -0 "$sd_pid" 2>/dev/null; then
		kill -KILL "$sd_pid" 2>/dev/null   # PID 1 of its namespace: takes all its processes along
	fi
	[ -n "$runner" ] && wait "$runner" 2>/dev/null
	for d in $made; do
		i=0
		while ! find "$d" -depth -type d -exec rmdir {} + 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.2; i=$((i + 1))
		done
	done
}
trap cleanup EXIT
if [ $cgok = 0 ]; then
	say "cannot boot a systemd here: no cgroup of our own to give it (read-only cgroup file system?); the drop-ins were checked with systemd-analyze verify only"
	exit $((failures > 0))
fi
# the child moves itself into the cgroups, then becomes PID 1 there
sh -c 'for d in '"$made"'; do echo $$ >"$d/cgroup.procs" || exit 1; done
	exec env container=kvmrc-deploy unshare --pid --fork --mount-proc --cgroup --uts --ipc --net \
		--propagation private sh "$0"' "$ns/boot.sh" >"$WORK/logs/systemd-boot.log" 2>&1 &
runner=$!
i=0 state=
while [ $i -lt 120 ]; do
	sd_pid=$(pgrep -P "$runner" -x systemd 2>/dev/null | head -n 1)
	if [ -n "$sd_pid" ]; then
		state=$(nsenter -t "$sd_pid" -m -p systemctl is-system-running 2>/dev/null)
		case $state in running|degraded) break ;; esac
	fi
	kill -0 "$runner" 2>/dev/null || break
	sleep 0.5; i=$((i + 1))
done
case $state in
running|degraded) ;;
*)
	say "cannot boot a systemd here (state '${state:-none}'; $(tail -n 3 "$WORK/logs/systemd-boot.log" | tr '\n' ' '));" \
		"the drop-ins were checked with systemd-analyze verify only"
	exit $((failures > 0)) ;;
esac
in_sd() { timeout 120 nsenter -t "$sd_pid" -m -p "$@"; }
say "systemd $(in_sd systemctl --version | sed -n '1s/systemd \([0-9]*\).*/\1/p') is PID 1 of its namespaces (pid $sd_pid here), state $state"
sctl() { in_sd systemctl "$@"; }
mainpid() { in_sd systemctl show -P MainPID "$1"; }
# host-side pid of a pid inside the namespace: NSpid's first field
hostpid() {
	for p in $(pgrep -P "$sd_pid"); do
		[ "$(awk '/^NSpid:/ { print $3 }' "/proc/$p/status")" = "$1" ] && { echo "$p"; return; }
	done
}
mapped() { grep -q libkvmrun-compat "/proc/$1/maps"; }
unmapped() { [ -r "/proc/$1/maps" ] && ! grep -q libkvmrun-compat "/proc/$1/maps"; }
booted() { # SERIAL (path in the namespace): the guest's line, bounded wait
	i=0
	while [ $i -lt 240 ]; do
		in_sd grep -q KVMRC-GUEST-BOOTED "$1" 2>/dev/null && return 0
		sleep 0.5; i=$((i + 1))
	done
	return 1
}
# qemu_unit UNIT what: start, find QEMU's pid; sets $pid
qemu_unit() {
	pid=
	sctl start "$1" || { fail "$1 ($2): systemctl start"; return 1; }
	npid=$(mainpid "$1"); pid=$(hostpid "$npid")
	[ -n "$pid" ] || { fail "$1 ($2): no main pid"; return 1; }
	check "$1 ($2): guest booted" booted "/run/$1.serial"
}

# 1. control: the QEMU service without the drop-in
if qemu_unit kvmrc-qemu.service "no drop-in"; then
	check "control kvmrc-qemu.service without the drop-in: QEMU (pid $pid) has no shim mapped" unmapped "$pid"
	sctl stop kvmrc-qemu.service
fi
# 2. the same service with systemd-environment.conf
in_sd mkdir -p /etc/systemd/system/kvmrc-qemu.service.d
dropin systemd-environment.conf kvmrc-qemu.service
in_sd cp "$sdroot/units/kvmrc-qemu.service.d/kvmrun-compat.conf" /etc/systemd/system/kvmrc-qemu.service.d/
sctl daemon-reload
in_sd rm -f /run/kvmrc-qemu.service.serial
if qemu_unit kvmrc-qemu.service "systemd-environment.conf"; then
	check "kvmrc-qemu.service with systemd-environment.conf: QEMU (pid $pid) has the shim mapped" mapped "$pid"
	sctl stop kvmrc-qemu.service
	check "kvmrc-qemu.service: systemctl stop ends QEMU" sh -c "sleep 1; [ ! -d /proc/$pid ]"
fi
# 3. systemd-wrapper.conf: ExecStart through the wrapper
if qemu_unit kvmrc-wrapped.service "systemd-wrapper.conf"; then
	check "kvmrc-wrapped.service: QEMU (pid $pid) has the shim mapped" mapped "$pid"
	exe=$(readlink "/proc/$pid/exe")
	check "kvmrc-wrapped.service: the main pid is QEMU itself ($exe)" test "$exe" = "$qemu"
	sctl stop kvmrc-wrapped.service
fi
# 4. syslog to the journal, stats to the StateDirectory
sctl start kvmrc-demo.service
npid=$(in_sd systemctl show -P ExecMainPID kvmrc-demo.service)
in_sd journalctl -u kvmrc-demo.service -o json --no-pager >"$WORK/logs/journal-demo.json" 2>&1
journal_has() { # the shim's vCPU line, from the VMM's pid, under the unit
	python3 - "$WORK/logs/journal-demo.json" "$npid" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    m = e.get("MESSAGE", "")
    if isinstance(m, str) and m.startswith("kvmrun-compat[%s]: vCPU 0: " % sys.argv[2]) and e.get("_PID") == sys.argv[2]:
        n += 1
sys.exit(0 if n >= 1 else 1)
EOF
}
check "kvmrc-demo.service: the shim's 'vCPU 0' messages are in the journal, the VMM's pid ($npid) in their text and _PID" journal_has
stats=/var/lib/kvmrun-compat/kvmrc-demo/stats.json
in_sd cat "$stats" >"$WORK/logs/stats-demo.json" 2>/dev/null
check "kvmrc-demo.service: stats in the StateDirectory ($stats) name the VMM's pid and its vCPU" \
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["pid"]==int(sys.argv[2]) and len(s["vcpus"])+s.get("retired_vcpus",0)>=1' \
	"$WORK/logs/stats-demo.json" "$npid"
# control: the same unit without the drop-in logs nothing and writes no stats
sctl stop kvmrc-demo.service
in_sd rm -rf /etc/systemd/system/kvmrc-demo.service.d "$(dirname "$stats")"
sctl daemon-reload
sctl start kvmrc-demo.service
npid=$(in_sd systemctl show -P ExecMainPID kvmrc-demo.service)
in_sd journalctl -u kvmrc-demo.service -o json --no-pager >"$WORK/logs/journal-demo.json" 2>&1
nojournal() { ! journal_has; }
check "control kvmrc-demo.service without the drop-in: no shim message from pid $npid" nojournal
in_sd journalctl --no-pager -o short-full >"$WORK/logs/journal.txt" 2>&1
exit $((failures > 0))

#!/bin/sh
# ci-cross-test.sh - build for aarch64 (./configure --host=aarch64-linux-gnu)
# and run the unit tests under qemu-user.  Exit status 0 only if the build
# and every test that can run passed.
#
# Criterion for arm64 cannot be installed next to the amd64 one on Debian 12
# (libnanomsg5, a dependency, is not Multi-Arch: same, so apt would remove
# libcriterion-dev:amd64).  Instead the arm64 packages are downloaded with
# apt-get download and unpacked into a private sysroot
# (_build-aarch64-sysroot); configure is given CRITERION_CFLAGS/LIBS for it
# (its .pc file would need the -dev packages of all its dependencies), and
# the tests find its libraries through LD_LIBRARY_PATH.
#
# Criterion runs each test in a copy of itself that it starts with execve(),
# and the preload tests re-execute themselves too, so aarch64 programs must
# be executable directly: the script registers qemu-aarch64 with binfmt_misc
# when it is not registered yet (root only; KVMRC_NO_BINFMT=1 forbids it).
# Shell tests load aarch64 libraries into this host's programs with
# LD_PRELOAD and are skipped.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
build=$top/_build-aarch64-test
sysroot=$top/_build-aarch64-sysroot
triplet=aarch64-linux-gnu
sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
t0=$(date +%s)
say() { echo "ci-cross-test: $* ($(( $(date +%s) - t0 ))s)"; }

tools/deps.sh cross

# --- criterion for arm64 in a private sysroot ------------------------------
if [ ! -e "$sysroot/usr/lib/$triplet/libcriterion.so" ]; then
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		say "adding the arm64 architecture to dpkg (package lists only; nothing arm64 is installed)"
		$sudo dpkg --add-architecture arm64
		$sudo apt-get update -qq
	elif ! apt-cache show libcriterion3:arm64 >/dev/null 2>&1; then
		$sudo apt-get update -qq
	fi
	# the run-time closure of criterion, less what the cross toolchain has
	pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances libcriterion3:arm64 2>/dev/null | grep -E '^[a-z0-9].*:arm64$' |
		sort -u | grep -vE '^(libc6|libgcc-s1|gcc-12-base):arm64$')
	debs=$(mktemp -d "${TMPDIR:-/tmp}/kvmrc-arm64-debs.XXXXXX")
	chmod 755 "$debs"
	# shellcheck disable=SC2086
	(cd "$debs" && apt-get download -qq libcriterion-dev:arm64 $pkgs 2>&1 |
		grep -v 'unsandboxed' || true)
	rm -rf "$sysroot.new" && mkdir -p "$sysroot.new"
	for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$sysroot.new"; done
	rm -rf "$debs" "$sysroot" && mv "$sysroot.new" "$sysroot"
	say "criterion for arm64 unpacked into $sysroot"
fi
# The cross libc first: qemu-user resolves a path inside QEMU_LD_PREFIX or,
# failing that, on the host, so with Debian's multiarch libc6:arm64 installed
# (libseccomp-dev:arm64 pulls it in) the loader of /usr/$triplet would find
# that other build's libc.so.6 in /lib/$triplet; a loader and a libc of
# different builds hang at start.
libs=/usr/$triplet/lib:$sysroot/usr/lib/$triplet:$sysroot/lib/$triplet

# --- build -----------------------------------------------------------------------
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
rm -rf "$build" && mkdir "$build"
say "configure --host=$triplet"
# PKG_CONFIG_LIBDIR: without it pkg-config reports this host's amd64 libraries
(cd "$build" && PKG_CONFIG_LIBDIR=$sysroot/usr/lib/$triplet/pkgconfig ../configure -q --host=$triplet \
	CRITERION_CFLAGS="-I$sysroot/usr/include" CRITERION_LIBS="-L$sysroot/usr/lib/$triplet -lcriterion" \
	LDFLAGS="-Wl,-rpath-link=$sysroot/usr/lib/$triplet -Wl,-rpath-link=$sysroot/lib/$triplet") >"$build.log" 2>&1 ||
	{ tail -n 30 "$build.log"; echo "ci-cross-test: configure FAILED"; exit 1; }
grep -q "^HAVE_CRITERION_TRUE=''" "$build/config.log" ||
	{ echo "ci-cross-test: configure did not find criterion for arm64"; exit 1; }
(cd "$build" && make -s -j"$(nproc)" && make -s -j"$(nproc)" check TESTS=) >>"$build.log" 2>&1 ||
	{ tail -n 30 "$build.log"; echo "ci-cross-test: build FAILED"; exit 1; }
say "built: $(file -bL "$build/.libs/libkvmrun-compat.so.0" | cut -d, -f1-2)"

# --- run -----------------------------------------------------------------------------
tests=$(cd "$build" && printf 'print-tests:\n\t@echo $(TESTS)\n' | make -s -f Makefile -f - print-tests)
progs= skipped=0
for t in $tests; do
	case $t in
	*.sh) echo "SKIP: $t (a shell test: it preloads aarch64 libraries into this host's programs)"
	      skipped=$((skipped + 1)) ;;
	*) progs="$progs $t" ;;
	esac
done
binfmt=/proc/sys/fs/binfmt_misc
registered() {
	for f in "$binfmt"/*; do
		case $f in */register | */status) continue ;; esac
		[ -f "$f" ] && grep -qx enabled "$f" &&
			grep -q '^magic 7f454c460201010000000000000000000200b700' "$f" && return 0
	done
	return 1
}
if ! registered && [ "${KVMRC_NO_BINFMT:-0}" != 1 ] && [ "$(id -u)" -eq 0 ]; then
	[ -e "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt" 2>/dev/null || true
	if [ -w "$binfmt/register" ]; then
		say "registering /usr/bin/qemu-aarch64 for aarch64 ELF programs (binfmt_misc)"
		printf '%s' ':qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-aarch64:F' \
			>"$binfmt/register" || true
	fi
fi
if ! registered; then
	for t in $progs; do
		echo "SKIP: $t (criterion re-executes itself: needs qemu-aarch64 registered with binfmt_misc)"
	done
	say "0 passed, 0 failed, $((skipped + $(echo $progs | wc -w))) skipped"
	exit 0
fi
# qemu-user answers an ioctl it does not know (KVM_RUN on a plain fd, any
# ioctl on /dev/null) with ENOSYS without looking at the fd; these tests
# check the kernel's EBADF/ENOTTY and cannot pass under it.
qemu_cannot="fdtrack/errno_of_kvm_run_is_preserved fd/dup_of_vcpu_fd_runs_and_close_reuse_is_not_kvm"
for c in $qemu_cannot; do
	echo "SKIP: $c (qemu-user returns ENOSYS for ioctls it does not know, not the kernel's errno)"
	skipped=$((skipped + 1))
done
say "running$progs under qemu-aarch64"
status=0
(cd "$build" && QEMU_LD_PREFIX=/usr/$triplet LD_LIBRARY_PATH=$libs \
	CRITERION_TEST_PATTERN="!($(echo $qemu_cannot | tr ' ' '|'))" \
	make -s -j"$(nproc)" check TESTS="$progs") >"$build/check.log" 2>&1 || status=1
grep -E '^(PASS|FAIL|ERROR|XFAIL|XPASS|SKIP):' "$build/check.log" || true
for t in $progs; do
	[ -f "$build/$t.log" ] && grep -h 'Synthesis' "$build/$t.log" | sed "s|^|$t: |" || true
done
if [ $status -ne 0 ]; then
	for t in $progs; do grep -q '^FAIL' "$build/$t.trs" 2>/dev/null && tail -n 20 "$build/$t.log"; done
fi
pass=$(grep -c '^PASS:' "$build/check.log" || true)
fail=$(grep -cE '^(FAIL|ERROR):' "$build/check.log" || true)
say "$pass passed, $fail failed, $skipped skipped"
exit $status

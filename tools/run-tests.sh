#!/bin/sh
# run-tests.sh - on a fresh Debian 12: install what is missing, build, and run
# every test suite.  CI runs exactly this (.ci/run).  Steps:
#   check     make check (unit, integration, hot-path seccomp proof)
#   distcheck make distcheck
#   cross     the aarch64 cross build (the library runs on real arm64 kernels)
#   real      make check-real: Debian's arm64 and x86_64 kernels 5.10, 6.1 and
#             6.12 booted under QEMU, the shim against real exits; then the
#             kernel's KVM selftests on 6.1, without and with the shim
#   real-vmm  make check-real-vmm: Debian's QEMU booting Linux on those kernels
#   bench     make bench-check: callgrind counts against tools/bench-baseline.txt
#   soak      make soak and make soak-tsan (ThreadSanitizer), bounded to 60 s each
#   deploy    make check-deploy: libvirtd and systemd with the shim
#   package   Debian packages built, linted, installed and run (when present)
# Set KVMRC_SKIP="real package" (space separated) to leave steps out.
# The last line is "N passed, N failed" over the steps; exit 0 only if none failed.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
tools/deps.sh test
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
rm -rf _build && mkdir _build
(cd _build && ../configure -q && make -s -j"$(nproc)")

passed=0 failed=0 skipped=0
step() { # name command...: run a step, report it in one line
	name=$1; shift
	case " ${KVMRC_SKIP:-} " in *" $name "*) echo "== $name: left out (KVMRC_SKIP)"; return 0 ;; esac
	echo "== $name"
	start=$(date +%s)
	st=0
	"$@" || st=$?
	secs=$(( $(date +%s) - start ))
	if [ $st = 0 ]; then passed=$((passed + 1)); echo "== $name: passed (${secs}s)"
	elif [ $st = 77 ]; then skipped=$((skipped + 1)); echo "== $name: SKIPPED (${secs}s)"
	else failed=$((failed + 1)); echo "== $name: FAILED (status $st, ${secs}s)"; fi
}

run_check() {
	(cd _build && make -s -j"$(nproc)" check) && return 0
	cat _build/test-suite.log 2>/dev/null | tail -n 100
	return 1
}
run_distcheck() {
	(cd _build && make -s -j"$(nproc)" distcheck >distcheck.log 2>&1) && return 0
	tail -n 60 _build/distcheck.log
	return 1
}
run_cross() {
	rm -rf _build-aarch64 && mkdir _build-aarch64
	# PKG_CONFIG_LIBDIR: never let the host's amd64 .pc files (libseccomp,
	# criterion) leak into the aarch64 build
	if (cd _build-aarch64 && PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig \
		../configure -q --host=aarch64-linux-gnu && make -s -j"$(nproc)") >_build-aarch64.log 2>&1; then
		file -bL _build-aarch64/.libs/libkvmrun-compat.so.0 | cut -d, -f1-2
		return 0
	fi
	tail -n 40 _build-aarch64.log
	return 1
}
run_real() {
	# bounded: a stalled QEMU fails the step instead of hanging CI
	# the shim must build for both arches, and a drift of the emulator from
	# a real kernel fails the step; the selftests add ~2 min (a wedged L1
	# guest is rebooted after 2 min of silence)
	(cd _build && KVMRC_REALKVM_SHIM=required KVMRC_REALKVM_STRICT=1 timeout 1500 make -s check-real)
}

run_real_vmm() {
	# Debian 12's QEMU booting Linux on real KVM inside each real kernel,
	# without and with the shim (tests/realvmm); every QEMU is bounded
	(cd _build && timeout 1800 make -s check-real-vmm)
}
run_bench() {
	# callgrind counts (repeatable under load): more than 20 % over the
	# committed figures fails
	(cd _build && make -s bench-check)
}
run_soak() {
	# 64 vCPU threads under fd, mapping and fork churn, every exit checked;
	# then the same with the shim under ThreadSanitizer (no report allowed)
	(cd _build && make -s soak SOAK_SECONDS=60 && make -s soak-tsan SOAK_SECONDS=60)
}
run_deploy() {
	# libvirtd and systemd, started by the test in private namespaces
	(cd _build && timeout 900 make -s check-deploy)
}

step check run_check
step distcheck run_distcheck
step cross run_cross
# bounded: a test hanging under qemu-user fails the step instead of CI
[ -x tools/ci-cross-test.sh ] && step cross-tests timeout -s KILL 1200 tools/ci-cross-test.sh
step real run_real
step real-vmm run_real_vmm
step bench run_bench
step soak run_soak
step deploy run_deploy
[ -x tools/ci-package.sh ] && step package tools/ci-package.sh
echo "steps: $passed passed, $failed failed, $skipped skipped"
echo "$passed passed, $failed failed"
[ $failed = 0 ]

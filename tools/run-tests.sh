#!/bin/sh
# run-tests.sh - on a fresh Debian 12: install what is missing, build, run
# every test (make check), the distribution check, and the aarch64 cross
# build.  Exit status 0 only if all passed.
set -eu
cd "$(dirname "$0")/.."
tools/deps.sh test
autoreconf -fi >/dev/null
rm -rf _build && mkdir _build
(cd _build && ../configure -q && make -s -j"$(nproc)")
status=0
(cd _build && make -s -j"$(nproc)" check) || { status=1; tail -n 80 _build/test-suite.log || true; }
(cd _build && make -s -j"$(nproc)" distcheck >distcheck.log 2>&1) && echo "distcheck: passed" ||
	{ echo "distcheck: FAILED"; tail -n 40 _build/distcheck.log; status=1; }
# aarch64 cross build of the library and tools (it runs on real arm64 kernels)
rm -rf _build-aarch64 && mkdir _build-aarch64
(cd _build-aarch64 && ../configure -q --host=aarch64-linux-gnu && make -s -j"$(nproc)") >cross.log 2>&1 &&
	echo "aarch64 cross build: passed ($(file -b _build-aarch64/.libs/libkvmrun-compat.so.0.0.0 | cut -d, -f1-2))" ||
	{ echo "aarch64 cross build: FAILED"; tail -n 30 cross.log; status=1; }
exit $status

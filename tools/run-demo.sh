#!/bin/sh
# run-demo.sh - on a fresh Debian 12: install what is missing, build, and
# print the demo table (the careless VMM on the embedded KVM emulator).
set -eu
cd "$(dirname "$0")/.."
tools/deps.sh demo
[ -x configure ] || autoreconf -fi >/dev/null
mkdir -p _build && cd _build
[ -f Makefile ] || ../configure -q
make -s -j"$(nproc)" demo

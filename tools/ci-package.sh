#!/bin/sh
# ci-package.sh - build the Debian packages from a copy of this tree (files
# git tracks plus untracked ones it does not ignore: what a fresh clone has,
# and what you are working on), run lintian, install the packages with dpkg,
# and run the installed wrapper on the demo VMM and the installed emulator.
# Exit status 0 only if everything passed.  Needs root (or sudo) for apt-get
# and dpkg.  KEEP_INSTALLED=1 leaves the packages installed afterwards.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
start=$(date +%s)
step() { echo "ci-package: $* ($(( $(date +%s) - start ))s)"; }

tools/deps.sh pkg
# the build dependencies of debian/control that deps.sh does not know
missing=$(dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' | sed 's/([^)]*)//g; s/<[^>]*>//g; s/:any//g')
if [ -n "$missing" ]; then
	step "installing build dependencies: $missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' debian/changelog)
work=$(mktemp -d "${TMPDIR:-/tmp}/kvmrc-pkg.XXXXXX")
src=$work/kvmrun-compat-$version
keep=0
cleanup() { if [ "$keep" = 1 ]; then echo "ci-package: kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
mkdir "$src"
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		grep -zv '^_build' | xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar -cf - --null -T - | tar -xf - -C "$src"
else
	tar -cf - --exclude='./_build*' --exclude=./.git . | tar -xf - -C "$src"
fi
step "building packages in $src"
status=0
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
	grep -E '^(FAIL|ERROR|not ok)' "$work/build.log" || true
	tail -n 40 "$work/build.log"; echo "ci-package: dpkg-buildpackage FAILED"; keep=1; exit 1; }
grep -E '^(# (TOTAL|PASS|FAIL|SKIP|ERROR):)' "$work/build.log" | sed 's/^/ci-package: make check: /' || true
ls "$work"/*.deb | sed 's|.*/|ci-package: built |'

step "lintian"
lintian --display-level '>=info' "$work"/*.changes >"$work/lintian.log" 2>&1 && lint=0 || lint=$?
cat "$work/lintian.log"
errors=$(grep -c '^E: ' "$work/lintian.log" || true)
warnings=$(grep -c '^W: ' "$work/lintian.log" || true)
infos=$(grep -c '^I: ' "$work/lintian.log" || true)
echo "ci-package: lintian: $errors error(s), $warnings warning(s), $infos info tag(s)"
[ "$errors" -eq 0 ] && [ "$lint" -eq 0 ] || status=1

step "installing"
debs=$(ls "$work"/*.deb | grep -v -- '-dbgsym_')
# shellcheck disable=SC2086
$sudo dpkg -i $debs >/dev/null || { echo "ci-package: dpkg -i FAILED"; exit 1; }
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
emu=/usr/lib/$ma/kvmrun-compat/libkvmrun-emu.so
# the emulator is for tests: a package of its own, not in the runtime one
[ "$(dpkg -S "$emu" 2>/dev/null | cut -d: -f1)" = kvmrun-compat-emu ] ||
	{ echo "ci-package: $emu is not shipped by kvmrun-compat-emu: $(dpkg -S "$emu" 2>&1)"; status=1; }
vmm=$src/tools/demo-vmm
# a check program: built by make check, not with DEB_BUILD_OPTIONS=nocheck
[ -x "$vmm" ] || make -s -C "$src" tools/demo-vmm >/dev/null
kvmrun-compat --version >"$work/version" 2>&1 || status=1
cat "$work/version"
# the wrapper preloads the preload object by its $LIB name (multiarch-safe);
# the link library interposes nothing
grep -qF 'LD_PRELOAD=/usr/$LIB/kvmrun-compat/libkvmrun-compat-preload.so)' "$work/version" ||
	{ echo "ci-package: the wrapper does not preload /usr/\$LIB/kvmrun-compat/libkvmrun-compat-preload.so"; status=1; }
! nm -D --defined-only "/usr/lib/$ma/libkvmrun-compat.so.0" | grep -q ' ioctl$' ||
	{ echo "ci-package: the installed link library exports ioctl"; status=1; }
scenario='mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk'
out=$(env -u KVMRUN_COMPAT_LIBRARY LD_PRELOAD="$emu" KVMEMU_PROFILE=arm64-5.10 KVMEMU_SCENARIO="$scenario" \
	kvmrun-compat --arch=arm64 --stats="$work/stats.json" "$vmm" 2>&1) || status=1
echo "$out" | sed 's/^/ci-package: installed wrapper: /'
echo "$out" | grep -q '^exit=debug .*hsr_high=0x00000000 far=0x0000000000000000' ||
	{ echo "ci-package: the installed shim did not clear hsr_high/far"; status=1; }
python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); v = s["vcpus"][0]; assert v["runs"] >= 2 and v["unscrubbed_runs"] == 0 and "arm64.debug.far" in s["rules"]' \
	"$work/stats.json" || { echo "ci-package: stats JSON wrong"; status=1; }
kvmrun-compat --probe >/dev/null 2>&1 && probe=0 || probe=$?
[ "$probe" -le 1 ] || { echo "ci-package: --probe exited $probe"; status=1; }
[ -n "$(man -w kvmrun-compat.1 2>/dev/null || true)" ] || [ ! -x /usr/bin/man ] ||
	{ echo "ci-package: man page kvmrun-compat(1) not installed"; status=1; }

if [ "${KEEP_INSTALLED:-0}" != 1 ]; then
	$sudo dpkg -r kvmrun-compat-emu kvmrun-compat libkvmrun-compat-dev libkvmrun-compat0 >/dev/null
fi
step "done, status $status"
exit $status

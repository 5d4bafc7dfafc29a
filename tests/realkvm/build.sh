# tests/realkvm/build.sh - sourced by run.sh: building the shim for each
# arch (native, or an aarch64 cross build) and the L1 initramfs of each
# kernel, and the programs the guests run.  Uses run.sh's globals: $work
# $here $top_srcdir $top_builddir $shim_mode, SHIM_LIB WRAPPER SUPERVISOR LIBDIR CC_FOR ARCHIVE NOGO, log(), die().

find_shim() { # dir: print the built preload object under dir (not in _build*/):
	# libkvmrun-compat-preload.so, or the library itself in older trees
	find "$1" -maxdepth 3 \( -path '*/.libs/libkvmrun-compat-preload.so' -o \
		-path '*/.libs/libkvmrun-compat.so.0' \) \( -type f -o -type l \) 2>/dev/null |
		grep -v "^$1/_build" | sort | head -1
}

build_shim() { # arch
	local a=$1 lib
	[ "$shim_mode" = off ] && return 0
	if [ ! -e "$top_srcdir/shim" ] || [ -z "$(ls "$top_srcdir/shim" 2>/dev/null)" ]; then
		log "shim/ is empty: running without the shim only"
		return 0
	fi
	case $a in
	x86_64)
		lib=$(find_shim "$top_builddir")
		if [ -z "$lib" ] && [ -x "$top_srcdir/configure" ]; then
			log "building the native shim (make in $top_builddir)"
			if [ ! -f "$top_builddir/Makefile" ]; then
				(cd "$top_builddir" && "$top_srcdir/configure" >"$work/configure-x86_64.log" 2>&1)
			fi
			make -C "$top_builddir" -j2 >"$work/make-x86_64.log" 2>&1 || log "native shim build failed (log: $work/make-x86_64.log)"
			lib=$(find_shim "$top_builddir")
		fi ;;
	arm64)
		local bd=$top_builddir/_build-aarch64 src=$top_srcdir
		if [ ! -x "$top_srcdir/configure" ]; then
			log "no $top_srcdir/configure (run autoreconf -fi): arm64 runs without the shim"
		else
			if [ -f "$top_srcdir/config.status" ]; then
				# the source tree is configured in place, which forbids
				# VPATH builds: cross-build a clean copy of it instead
				src=$work/arm64/src
				bd=$src
				rm -rf "$src"
				mkdir -p "$src"
				tar -C "$top_srcdir" -c --exclude=.git --exclude='./_build*' \
					--exclude=./tests/realkvm/work --exclude='*.o' --exclude='*.lo' \
					--exclude='*.la' --exclude=.libs --exclude=.deps --exclude=config.status \
					--exclude=config.log --exclude=./config.h --exclude=./libtool \
					--exclude=./stamp-h1 --exclude=Makefile --exclude=autom4te.cache . |
					tar -C "$src" -x
			fi
			mkdir -p "$bd"
			( cd "$bd" &&
			  { [ -f Makefile ] || PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig "$src/configure" --host=aarch64-linux-gnu >"$work/configure-arm64.log" 2>&1; } &&
			  { make -j2 libkvmrun-compat-preload.la >"$work/make-arm64.log" 2>&1 || make -j2 >>"$work/make-arm64.log" 2>&1; } ) ||
				log "aarch64 cross build of the shim failed (logs: $work/configure-arm64.log $work/make-arm64.log)"
			lib=$(find_shim "$bd")
			# the static archive, for the static API VMM (build_api_vmm)
			( cd "$bd" && make -j2 libkvmrun-compat.a >>"$work/make-arm64.log" 2>&1 ) &&
				ARCHIVE[$a]=$bd/libkvmrun-compat.a
			# the wrapper, for kvmrun-compat --probe --abi=5.10 inside the guest
			( cd "$bd" && make -j2 tools/kvmrun-compat >>"$work/make-arm64.log" 2>&1 ) &&
				[ -x "$bd/tools/kvmrun-compat" ] && WRAPPER[$a]=$bd/tools/kvmrun-compat
			# the supervisor (libseccomp-dev:arm64: tools/deps.sh cross)
			( cd "$bd" && make -j2 tools/supervise/kvmrun-compat-supervise >>"$work/make-arm64.log" 2>&1 ) &&
				[ -x "$bd/tools/supervise/kvmrun-compat-supervise" ] &&
				SUPERVISOR[$a]=$bd/tools/supervise/kvmrun-compat-supervise
		fi ;;
	esac
	if [ "$a" = x86_64 ] && [ -n "${lib:-}" ]; then
		make -C "$top_builddir" tools/kvmrun-compat >>"$work/make-x86_64.log" 2>&1 &&
			[ -x "$top_builddir/tools/kvmrun-compat" ] && WRAPPER[$a]=$top_builddir/tools/kvmrun-compat
		make -C "$top_builddir" tools/supervise/kvmrun-compat-supervise >>"$work/make-x86_64.log" 2>&1 &&
			[ -x "$top_builddir/tools/supervise/kvmrun-compat-supervise" ] &&
			SUPERVISOR[$a]=$top_builddir/tools/supervise/kvmrun-compat-supervise
	fi
	[ -n "${WRAPPER[$a]:-}" ] || log "$a: no kvmrun-compat built: no --probe --abi inside the guests"
	[ -n "${SUPERVISOR[$a]:-}" ] || log "$a: no supervisor built (no libseccomp for $a): no supervised static VMM inside the guests"
	if [ -n "${lib:-}" ]; then
		SHIM_LIB[$a]=$(readlink -f "$lib")
		log "$a shim: ${SHIM_LIB[$a]}"
	elif [ "$shim_mode" = required ]; then
		die "KVMRC_REALKVM_SHIM=required but no $a shim library was built"
	else
		log "$a: no shim library; running without the shim only"
	fi
}

# copy the shared libraries an ELF file needs (recursively) into $root/lib
copy_needed() { # arch elf root
	l1_copy_needed "$2" "$3" ${LIBDIR[$1]} || log "warning: a library of $(basename "$2") was not found"
}

# The static test VMM linked with the static archive (run=api, vmm-run.c):
# x86_64 with musl-gcc and the musl archive (configure --with-musl), arm64
# with the cross gcc's static glibc and the cross build's archive.
build_api_vmm() { # arch
	local a=$1 cc lib inc=
	rm -f "$work/$a/vmm-api"
	case $a in
	x86_64) cc=musl-gcc lib=$top_builddir/musl/libkvmrun-compat.a inc=-I$top_builddir/musl/include
		[ -f "$lib" ] || make -C "$top_builddir" musl/libkvmrun-compat.a >>"$work/make-x86_64.log" 2>&1 ;;
	arm64) cc=${CC_FOR[$a]} lib=${ARCHIVE[$a]:-} ;;
	esac
	if [ -z "$lib" ] || [ ! -f "$lib" ] || ! command -v "$cc" >/dev/null 2>&1; then
		log "$a: no static archive for $cc: no static API VMM"
		return 0
	fi
	# -w: musl's <sys/ioctl.h> and the uapi headers both define _IOC
	$cc -static -O2 -w -DVMM_API -I"$top_srcdir/include" $inc -o "$work/$a/vmm-api" "$here/vmm.c" \
		"$here/vmm-common.c" "$here/vmm-arm64.c" "$here/vmm-x86.c" "$here/vmm-run.c" "$lib" \
		>"$work/$a/vmm-api.log" 2>&1 || { log "$a: static API VMM build failed ($work/$a/vmm-api.log)"; rm -f "$work/$a/vmm-api"; }
	[ -x "$work/$a/vmm-api" ] && log "$a static API VMM: $cc, $(basename "$(dirname "$lib")")/$(basename "$lib")"
	return 0
}

# The Go VMM (govmm/: Go's standard library only, raw system calls), once
# per arch: static (CGO_ENABLED=0), GOARCH for arm64, the build cache inside
# the work tree (HOME may be unwritable), nothing downloaded.  Without a
# working Go toolchain: one line, and the arch is named in NOGO (govmm.awk
# skips its boots instead of failing them); a toolchain that fails to build
# it fails them.
build_go_vmm() { # arch
	local a=$1 goarch go=${GO:-go}
	rm -f "$work/$a/vmm-go"
	case $a in arm64) goarch=arm64 ;; x86_64) goarch=amd64 ;; esac
	if ! command -v "$go" >/dev/null 2>&1 || ! "$go" version >/dev/null 2>&1; then
		log "$a: no working Go toolchain ('$go'; tools/deps.sh real installs golang-go): no Go VMM inside the guests"
		NOGO="$NOGO $a"
		return 0
	fi
	mkdir -p "$work/go"
	if ( cd "$here/govmm" && env GOCACHE="$work/go/cache" GOPATH="$work/go/path" GOENV=off GOFLAGS= \
		GOPROXY=off GOTOOLCHAIN=local GO111MODULE=on CGO_ENABLED=0 GOOS=linux GOARCH=$goarch \
		"$go" build -buildvcs=false -o "$work/$a/vmm-go" . ) >"$work/$a/vmm-go.log" 2>&1; then
		log "$a Go VMM: $("$go" version | cut -d' ' -f3), GOARCH=$goarch"
	else
		# a toolchain that is there must build it: govmm.awk fails these boots
		log "$a: the Go VMM does not build with '$go' ($work/$a/vmm-go.log): no Go VMM inside the guests"
		rm -f "$work/$a/vmm-go"
	fi
	return 0
}

# tools/bench-supervise.c for the guests (init.c run_bench: supervisor
# mode's cost per KVM_RUN), once per arch.  Linked dynamically, as the test
# VMM: its plain, preloaded and supervised runs are the same program, and
# LD_PRELOAD reaches it.  Without it the max boots say REALKVM-BENCH-SKIP.
build_bench() { # arch
	local a=$1
	rm -f "$work/$a/bench-supervise"
	${CC_FOR[$a]} $CFLAGS_T -pthread -o "$work/$a/bench-supervise" "$top_srcdir/tools/bench-supervise.c" \
		>"$work/$a/bench-supervise.log" 2>&1 ||
		{ log "$a: cannot build bench-supervise ($work/$a/bench-supervise.log): no cost report"; rm -f "$work/$a/bench-supervise"; }
	return 0
}

build_initramfs() { # arch pkg -> $work/<arch>/<pkg>.cpio.gz
	local a=$1 pkg=$2 root=$work/$a/root-$pkg interp lib
	rm -rf "$root"
	mkdir -p "$root"/{proc,sys,dev,lib,lib64,modules}
	cp "$work/$a/init" "$root/init"
	cp "$work/$a/vmm" "$root/vmm"
	# supervisor mode: the static build of the VMM and the helper
	[ -f "$work/$a/vmm-static" ] && cp "$work/$a/vmm-static" "$root/vmm-static"
	if [ -n "${SUPERVISOR[$a]:-}" ]; then
		cp -L "${SUPERVISOR[$a]}" "$root/kvmrun-compat-supervise"
		copy_needed "$a" "$root/kvmrun-compat-supervise" "$root"
	fi
	interp=$(readelf -l "$work/$a/vmm" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	mkdir -p "$root$(dirname "$interp")"
	for d in ${LIBDIR[$a]}; do
		[ -e "$d/$(basename "$interp")" ] && { cp -L "$d/$(basename "$interp")" "$root$interp"; break; }
	done
	copy_needed "$a" "$work/$a/vmm" "$root"
	if [ -n "${SHIM_LIB[$a]:-}" ]; then
		cp -L "${SHIM_LIB[$a]}" "$root/lib/libkvmrun-compat.so.0"
		# the preload object links the API library (DT_NEEDED
		# libkvmrun-compat.so.0), found through its RUNPATH $ORIGIN/..
		# here: /lib holds the preload under that name (init.c)
		lib=$(dirname "${SHIM_LIB[$a]}")/libkvmrun-compat.so.0
		if [ "$(basename "${SHIM_LIB[$a]}")" != libkvmrun-compat.so.0 ] && [ -e "$lib" ]; then
			cp -L "$lib" "$root/libkvmrun-compat.so.0"
		fi
		copy_needed "$a" "$root/lib/libkvmrun-compat.so.0" "$root"
		# --raw-syscalls is in a shim linked with libseccomp
		readelf -d "${SHIM_LIB[$a]}" | grep -q 'NEEDED.*libseccomp' && : >"$root/raw-syscalls"
	fi
	[ -x "$work/$a/vmm-api" ] && cp "$work/$a/vmm-api" "$root/vmm-api"
	if [ -x "$work/$a/bench-supervise" ]; then
		cp "$work/$a/bench-supervise" "$root/bench-supervise"
		copy_needed "$a" "$root/bench-supervise" "$root"
	fi
	[ -x "$work/$a/vmm-go" ] && cp "$work/$a/vmm-go" "$root/vmm-go"
	if [ -n "${WRAPPER[$a]:-}" ]; then
		cp -L "${WRAPPER[$a]}" "$root/kvmrun-compat"
		copy_needed "$a" "$root/kvmrun-compat" "$root"
	fi
	if [ -d "$cache/kernels/$pkg/modules" ]; then
		cp "$cache/kernels/$pkg/modules/"* "$root/modules/"
	fi
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$work/$a/$pkg.cpio.gz"
	rm -rf "$root"
}

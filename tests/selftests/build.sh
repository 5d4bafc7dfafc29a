# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/selftests/build.sh - sourced by run.sh: the kernel's KVM selftests
# (tools/testing/selftests/kvm) built from Debian's linux-source-<series>
# package, the version of the kernel they run in when the archive still has
# it.  The package comes through tests/realkvm's private apt configuration
# (kernels.sh: signed Release files, every .deb's hash checked); only the
# parts of the tree the selftests need are unpacked (Makefile, scripts,
# include, arch/{x86,arm64}, tools, usr), into a scratch directory that is
# removed afterwards.  The test binaries (dynamically linked) are cached in
# $stcache/build/<version>-<arch>/ with built.txt and notbuilt.txt, keyed by
# the package version.
# Uses: $stcache $work APT_OPTS debarch() log().

# the Debian version of a cached kernel package (linux-image-6.1.0-50-arm64
# -> 6.1.176-1), from its .deb's name in tests/realkvm's cache
kernel_version_of() { # arch pkg
	local deb
	deb=$(ls "$cache/debs/${2}_"*"_$(debarch "$1").deb" 2>/dev/null | tail -1)
	[ -n "$deb" ] || return 1
	deb=${deb##*/}
	deb=${deb#*_}
	echo "${deb%%_*}"
}

# linux-source-<series>_<version>_all.deb into $stcache/debs, the kernel's
# own version or else the archive's candidate; prints the .deb's path
fetch_source() { # series version
	local s=$1 v=$2 deb
	mkdir -p "$stcache/debs"
	deb=$(ls "$stcache/debs/linux-source-${s}_${v}_all.deb" 2>/dev/null)
	[ -n "$deb" ] && { echo "$deb"; return 0; }
	(cd "$stcache/debs" && { apt-get "${APT_OPTS[@]}" download "linux-source-$s=$v" ||
		apt-get "${APT_OPTS[@]}" download "linux-source-$s"; }) >"$work/download-source-$s.log" 2>&1 ||
		{ log "cannot download linux-source-$s (log: $work/download-source-$s.log)"; return 1; }
	ls "$stcache/debs/linux-source-${s}_"*_all.deb | sort -V | tail -1
}

# the selftests of one arch built from a linux-source .deb (unpacked into
# $src_tree, kept for the next arch of the same .deb); sets ST_DIR to the
# cache directory
build_selftests() { # arch deb
	local a=$1 deb=$2 v karch cross= out hdr kvm progs p
	v=${deb##*/}; v=${v#*_}; v=${v%%_*}
	ST_DIR=$stcache/build/$v-$a
	[ -f "$ST_DIR/.complete" ] && return 0
	if [ -z "${src_tree:-}" ] || [ ! -d "$src_tree" ] || [ "${src_deb:-}" != "$deb" ]; then
		[ -n "${src_tree:-}" ] && rm -rf "$src_tree"
		src_tree=$(mktemp -d "$work/src.XXXXXX")
		src_deb=$deb
		log "unpacking $(basename "$deb") (tools, include, arch/x86, arch/arm64, scripts)"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -O --wildcards './usr/src/linux-source-*.tar.xz' |
			xz -dc | tar -x -C "$src_tree" --strip-components=1 --wildcards \
			'*/Makefile' '*/scripts/*' '*/include/*' '*/arch/x86/*' '*/arch/arm64/*' \
			'*/tools/*' '*/usr/*' || return 1
	fi
	case $a in
	x86_64) karch=x86 ;;
	arm64) karch=arm64; cross=aarch64-linux-gnu- ;;
	esac
	out=$work/st-build-$a
	hdr=$work/st-hdr-$a
	rm -rf "$out" "$hdr" "$ST_DIR"
	mkdir -p "$out" "$hdr" "$ST_DIR"
	# the uapi headers (make headers: no rsync, unlike headers_install)
	make -s -C "$src_tree" ARCH=$karch O="$hdr" headers >"$work/st-headers-$a.log" 2>&1 ||
		{ log "make headers failed for $a (log: $work/st-headers-$a.log)"; return 1; }
	kvm=$src_tree/tools/testing/selftests/kvm
	local mk=(ARCH=$a CROSS_COMPILE=$cross OUTPUT="$out" INSTALL_HDR_PATH="$hdr/usr"
		KHDR_INCLUDES="-isystem $hdr/usr/include")
	[ "$a" = x86_64 ] && mk[0]=ARCH=x86_64
	progs=$(make -s -C "$kvm" "${mk[@]}" --eval='st-progs: ; @echo $(TEST_GEN_PROGS)' st-progs 2>/dev/null)
	[ -n "$progs" ] || { log "no TEST_GEN_PROGS for $a in $kvm/Makefile"; return 1; }
	# -k: a test that does not build (a backport that needs a newer helper)
	# is listed in notbuilt.txt, the others are built
	make -k -j2 -C "$kvm" "${mk[@]}" >"$work/st-build-$a.log" 2>&1
	: >"$ST_DIR/built.txt"
	: >"$ST_DIR/notbuilt.txt"
	for p in $progs; do
		p=${p#"$out"/}
		if [ -x "$out/$p" ]; then
			mkdir -p "$ST_DIR/bin/$(dirname "$p")"
			cp "$out/$p" "$ST_DIR/bin/$p"
			echo "$p" >>"$ST_DIR/built.txt"
		else
			echo "$p" >>"$ST_DIR/notbuilt.txt"
		fi
	done
	rm -rf "$out" "$hdr"
	[ -s "$ST_DIR/built.txt" ] || { log "no selftest built for $a (log: $work/st-build-$a.log)"; return 1; }
	touch "$ST_DIR/.complete"
	log "$a selftests $v: $(grep -c . "$ST_DIR/built.txt") built, $(grep -c . "$ST_DIR/notbuilt.txt") not ($(tr '\n' ' ' <"$ST_DIR/notbuilt.txt"))"
}

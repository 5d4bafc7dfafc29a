# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/realvmm/fetch.sh - sourced by run.sh: the cached kernels of
# tests/realkvm, the L2 guest's virtio modules, and Debian's arm64 QEMU with
# its library closure (apt-get download through a private apt configuration,
# so the packages are checked against the signed Release files).
# Uses: $kcache $cache $work, log(), debarch().

# kernel packages of tests/realkvm's cache for one arch: the newest of each
# series (5.10, 6.1, 6.12), one a line
kernels_of() { # arch
	local da
	da=$(debarch "$1")
	ls "$kcache/kernels" 2>/dev/null | grep -- "-$da\$" | while read -r p; do
		[ -f "$kcache/kernels/$p/.complete" ] && [ -f "$kcache/kernels/$p/vmlinuz" ] || continue
		v=${p#linux-image-}
		echo "$(echo "$v" | cut -d. -f1,2) $p"
	done | sort -V | awk '{ last[$1] = $2; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
		END { for (i = 1; i <= n; i++) print last[order[i]] }' |
		while read -r p; do
			case " ${KVMRC_REALVMM_SERIES:-$(series_of "$p")} " in
			*" $(series_of "$p") "*) echo "$p" ;;
			esac
		done
}

# series of a kernel package: 5.10, 6.1, 6.12
series_of() { echo "${1#linux-image-}" | cut -d. -f1,2; }

# the L2 guest's modules (virtio_mmio, virtio_console, virtio_blk and their
# dependencies; whatever is built in is not in the .deb) from the kernel .deb
# cached by tests/realkvm, into $cache/l2mods/<pkg>/ with their load order
extract_l2_modules() { # arch pkg
	local a=$1 pkg=$2 da dst deb tmp list order=""
	da=$(debarch "$a")
	dst=$cache/l2mods/$pkg
	[ -f "$dst/.complete" ] && return 0
	deb=$(ls "$kcache/debs/${pkg}_"*"_$da.deb" 2>/dev/null | tail -1)
	[ -n "$deb" ] || { log "no cached $pkg .deb in $kcache/debs"; return 1; }
	rm -rf "$dst" && mkdir -p "$dst"
	tmp=$dst/x
	mkdir -p "$tmp"
	list=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -E '\.ko(\.xz|\.zst)?$')
	l2mod() { # depth first: dependencies before the module; absent = built in
		local m=$1 f deps d
		case " $order " in *" $m "*) return 0 ;; esac
		f=$(echo "$list" | grep -E "/${m//_/[-_]}\.ko(\.xz|\.zst)?\$" | head -1)
		[ -n "$f" ] || return 0
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "$f" || return 1
		case $f in
		*.xz) xz -dc "$tmp/$f" >"$dst/$m.ko" ;;
		*.zst) zstd -qdc "$tmp/$f" >"$dst/$m.ko" ;;
		*) cp "$tmp/$f" "$dst/$m.ko" ;;
		esac
		deps=$(tr '\0' '\n' <"$dst/$m.ko" | sed -n 's/^depends=//p' | head -1 | tr ',' ' ')
		for d in $deps; do l2mod "${d//-/_}" || return 1; done
		order="$order $m"
	}
	for m in virtio_mmio virtio_console virtio_blk; do l2mod $m || return 1; done
	for m in $order; do echo "$m.ko"; done >"$dst/order"
	rm -rf "$tmp"
	touch "$dst/.complete"
}

# Debian 12's arm64 qemu-system-arm and the packages behind its shared
# libraries, unpacked into $cache/arm64-qemu/root
fetch_arm64_qemu() {
	local apt_dir=$cache/apt root=$cache/arm64-qemu/root stamp pkgs
	[ -f "$cache/arm64-qemu/.complete" ] && return 0
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$cache/debs"
	echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" \
		>"$apt_dir/sources.list"
	local O=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=-
		-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir"
		-o "Dir::Cache::archives=$apt_dir/archives" -o Dir::State::status=/dev/null
		-o APT::Architectures=arm64 -o APT::Architecture=arm64
		-o APT::Sandbox::User=root -o Debug::NoLocking=1
		-o Acquire::Retries=2 -o Acquire::http::Timeout=30)
	[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || { log "no debian-archive-keyring"; return 1; }
	apt-get "${O[@]}" update >"$work/apt-arm64.log" 2>&1 &&
		! grep -q '^\(W\|E\): ' "$work/apt-arm64.log" || return 1
	# the Depends/Pre-Depends closure, real packages only
	pkgs=$(apt-cache "${O[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances qemu-system-arm 2>>"$work/apt-arm64.log" |
		grep -v '^ ' | grep -v '^<' | sort -u)
	[ -n "$pkgs" ] || return 1
	echo "$pkgs" >"$cache/arm64-qemu.packages"
	# apt-get download checks each .deb against the signed Release's hashes
	(cd "$cache/debs" && apt-get "${O[@]}" download $pkgs) >>"$work/apt-arm64.log" 2>&1 || return 1
	rm -rf "$root" && mkdir -p "$root"
	local p deb
	for p in $pkgs; do
		deb=$(ls "$cache/debs/${p}_"*_arm64.deb "$cache/debs/${p}_"*_all.deb 2>/dev/null | tail -1)
		[ -n "$deb" ] || { log "package $p was not downloaded"; return 1; }
		dpkg-deb -x "$deb" "$root" || return 1
	done
	[ -x "$root/usr/bin/qemu-system-aarch64" ] || return 1
	touch "$cache/arm64-qemu/.complete"
	log "arm64 QEMU: $(echo "$pkgs" | grep -c .) packages, $(du -sh "$cache/debs" | cut -f1) of .debs"
}

# x86_64: the kernel's own ELF vmlinux, out of the bzImage's xz or zstd
# payload, into $cache/vmlinux/<pkg>.  QEMU boots it through its PVH entry
# (CONFIG_PVH), which skips the decompressor: under nested TCG the L2 guest
# spends ~10 s decompressing an xz bzImage otherwise.
extract_vmlinux() { # pkg
	local pkg=$1 bz=$kcache/kernels/$1/vmlinuz dst=$cache/vmlinux/$1 off
	[ -s "$dst" ] && return 0
	mkdir -p "$cache/vmlinux"
	for off in $(grep -abo $'\xfd7zXZ\x00' "$bz" | cut -d: -f1) $(grep -abo $'\x28\xb5\x2f\xfd' "$bz" | cut -d: -f1); do
		{ tail -c +$((off + 1)) "$bz" | xz -dc --single-stream 2>/dev/null ||
		  tail -c +$((off + 1)) "$bz" | zstd -qdc 2>/dev/null; } >"$dst.tmp"
		if readelf -n "$dst.tmp" 2>/dev/null | grep -q 'Xen.*0x00000012'; then
			mv "$dst.tmp" "$dst"
			return 0
		fi
	done
	rm -f "$dst.tmp"
	return 1
}

# the kernel both guests boot: x86_64 the ELF vmlinux (PVH entry, no
# decompressor), arm64 Debian's Image (not compressed)
l1_kernel() { # arch pkg
	case $1 in
	x86_64) echo "$cache/vmlinux/$2" ;;
	arm64) echo "$kcache/kernels/$2/vmlinuz" ;;
	esac
}

# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/realkvm/kernels.sh - sourced by run.sh (and by the harnesses that boot
# the same kernels: tests/selftests): the private apt configuration for
# Debian's bullseye, bookworm and trixie (amd64 and arm64, signed-by Debian's
# archive keyring, so apt checks the Release signatures and every .deb's
# hash), the kernel packages of each suite and their unpacking into the cache.
# Uses: $cache (the kernel cache) $work $suites, log().  Sets APT_OPTS and
# online (1 when the package lists are fresh or could be refreshed).

debarch() { case $1 in arm64) echo arm64 ;; x86_64) echo amd64 ;; esac; }

# kernel package names (linux-image-<abi>-<flavour>) for one arch, one a line
resolve_kernels() {
	apt-cache "${APT_OPTS[@]}" show "linux-image-$1:$1" 2>/dev/null |
		sed -n 's/^Depends: \(linux-image-[^ ,]*\).*/\1/p' | sort -u
}

# A private apt configuration: our sources, lists and cache; the system's apt
# state is never touched.
kernels_apt_init() {
	local s stamp
	apt_dir=$cache/apt
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$cache/debs" "$cache/kernels"
	: >"$apt_dir/sources.list"
	for s in $suites; do
		echo "deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $s main" >>"$apt_dir/sources.list"
	done
	APT_OPTS=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=-
		-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir"
		-o "Dir::Cache::archives=$apt_dir/archives" -o Dir::State::status=/dev/null
		-o APT::Architectures=amd64,arm64 -o APT::Architecture=amd64
		-o APT::Sandbox::User=root -o Debug::NoLocking=1
		-o Acquire::Retries=2 -o Acquire::http::Timeout=30)
	online=0
	stamp=$apt_dir/lists/.realkvm-updated
	if [ -f "$stamp" ] && [ -z "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
		online=1
	elif apt-get "${APT_OPTS[@]}" update >"$work/apt-update.log" 2>&1 &&
		! grep -q '^\(W\|E\): Failed to fetch' "$work/apt-update.log"; then
		touch "$stamp"
		online=1
	fi
}

# extract one kernel package into $cache/kernels/<pkg>/: vmlinuz, and for
# x86_64 the kvm modules plus dependencies (decompressed) with their load order
extract_kernel() { # arch pkg
	local a=$1 pkg=$2 da dst deb tmp
	da=$(debarch "$a")
	dst=$cache/kernels/$pkg
	[ -f "$dst/.complete" ] && return 0
	deb=$(ls "$cache/debs/${pkg}_"*"_$da.deb" 2>/dev/null | tail -1)
	if [ -z "$deb" ]; then
		(cd "$cache/debs" && apt-get "${APT_OPTS[@]}" download "$pkg:$da" >"$work/download-$pkg.log" 2>&1) ||
			{ log "download of $pkg failed (log: $work/download-$pkg.log)"; return 1; }
		deb=$(ls "$cache/debs/${pkg}_"*"_$da.deb" | tail -1)
	fi
	rm -rf "$dst" && mkdir -p "$dst"
	tmp=$dst/x
	mkdir -p "$tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' || return 1
	mv "$tmp"/boot/vmlinuz-* "$dst/vmlinuz"
	if [ "$a" = x86_64 ]; then
		local list order="" todo="kvm_amd" m f deps
		list=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -E '\.ko(\.xz|\.zst)?$')
		mkdir -p "$dst/modules"
		# depth-first: dependencies before the module
		resolve() {
			local m=$1 f deps d
			case " $order " in *" $m "*) return 0 ;; esac
			f=$(echo "$list" | grep -E "/${m//_/[-_]}\.ko(\.xz|\.zst)?\$" | head -1)
			[ -n "$f" ] || { log "module $m not found in $pkg"; return 1; }
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "$f" || return 1
			case $f in
			*.xz) xz -dc "$tmp/$f" >"$dst/modules/$m.ko" ;;
			*.zst) zstd -qdc "$tmp/$f" >"$dst/modules/$m.ko" ;;
			*) cp "$tmp/$f" "$dst/modules/$m.ko" ;;
			esac
			deps=$(tr '\0' '\n' <"$dst/modules/$m.ko" | sed -n 's/^depends=//p' | head -1 | tr ',' ' ')
			for d in $deps; do resolve "${d//-/_}" || return 1; done
			order="$order $m"
		}
		resolve kvm_amd || return 1
		for m in $order; do echo "$m.ko"; done >"$dst/modules/order"
	fi
	rm -rf "$tmp"
	touch "$dst/.complete"
}


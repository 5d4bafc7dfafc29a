# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/realvmm/pack.sh - sourced by run.sh: the L1 initramfs.
#   qemu-root.cpio.gz   QEMU, its shared libraries and firmware, the shim,
#                       the control preload, /init (l1-init.c); one per arch
#   l1-<pkg>.cpio.gz    that plus the kvm modules of the kernel, the L2
#                       kernel and initramfs, the virtio disk and /runs
# Uses: $work $cache $kcache $here $configs $control $wrapper $l2_timeout SHIM_LIB
# WRAPPER_BIN log().

# directories searched for a NEEDED library, per arch
libdirs_of() {
	case $1 in
	x86_64) echo /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu ;;
	arm64) echo "$cache/arm64-qemu/root/lib/aarch64-linux-gnu $cache/arm64-qemu/root/usr/lib/aarch64-linux-gnu" ;;
	esac
}

# copy the shared libraries an ELF file needs (recursively) into $root/lib
pack_needed() { # arch elf root
	l1_copy_needed "$2" "$3" $(libdirs_of "$1")
}

pack_qemu_root() { # arch
	local a=$1 root=$work/$1/qemu-root qemu interp d
	rm -rf "$root"
	mkdir -p "$root"/{proc,sys,dev,tmp,lib,usr/bin,usr/share/qemu,l2}
	case $a in
	x86_64) qemu=$(command -v qemu-system-x86_64) ;;
	arm64) qemu=$cache/arm64-qemu/root/usr/bin/qemu-system-aarch64 ;;
	esac
	cp -L "$qemu" "$root/usr/bin/" || return 1
	interp=$(readelf -l "$qemu" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	mkdir -p "$root$(dirname "$interp")"
	for d in $(libdirs_of "$a"); do
		[ -e "$d/$(basename "$interp")" ] && { cp -L "$d/$(basename "$interp")" "$root$interp"; break; }
	done
	[ -e "$root$interp" ] || { log "no $interp for $a"; return 1; }
	pack_needed "$a" "$qemu" "$root" || return 1
	cp -L "${SHIM_LIB[$a]}" "$root/lib/libkvmrun-compat-preload.so" || return 1
	# the API library it links (DT_NEEDED), built beside it
	cp -L "$(dirname "${SHIM_LIB[$a]}")/libkvmrun-compat.so.0" "$root/lib/" || return 1
	# the preload object needs the API library beside it (.libs)
	l1_copy_needed "$root/lib/libkvmrun-compat-preload.so" "$root" "$(dirname "${SHIM_LIB[$a]}")" \
		$(libdirs_of "$a") || return 1
	cp -L "${WRAPPER_BIN[$a]}" "$root/usr/bin/kvmrun-compat" &&
		pack_needed "$a" "$root/usr/bin/kvmrun-compat" "$root" || return 1
	cp "$work/$a/libbadmmio.so" "$root/lib/" && pack_needed "$a" "$root/lib/libbadmmio.so" "$root" || return 1
	if [ "$a" = x86_64 ]; then
		# microvm: qboot and the DMA linux loader; pvh.bin and kvmvapic.bin
		# for the other machine types
		for f in bios-microvm.bin linuxboot_dma.bin pvh.bin kvmvapic.bin; do
			cp -L "/usr/share/qemu/$f" "$root/usr/share/qemu/$f" || return 1
		done
	fi
	cp "$work/$a/l1-init" "$root/init"
	printf 'REALVMM-DISK this block was read through virtio-blk\n' >"$root/l2/disk.img"
	truncate -s 4096 "$root/l2/disk.img"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$work/$a/qemu-root.cpio.gz"
	log "$a QEMU root: $(du -sh "$root" | cut -f1) unpacked, $(du -sh "$work/$a/qemu-root.cpio.gz" | cut -f1) packed"
	rm -rf "$root"
}

# the QEMU command line of one configuration; @HVC@ is the virtio console
# file, %20 a space (l1-init.c splits the line at spaces)
qemu_args() { # arch cfg
	local a=$1 cfg=$2 smp=1 extra= cmdline
	case $cfg in
	smp2) smp=2 ;;
	sandbox) extra="-sandbox on" ;;
	esac
	case $a in
	x86_64)
		printf '%s' "/usr/bin/qemu-system-x86_64 -M microvm,rtc=on -cpu host"
		cmdline="console=ttyS0 quiet pci=off panic=-1" ;;
	arm64)
		printf '%s' "/usr/bin/qemu-system-aarch64 -M virt,gic-version=3 -cpu host"
		cmdline="console=ttyAMA0 quiet panic=-1" ;;
	esac
	printf ' %s' -accel kvm -m 256 -smp $smp -nodefaults -no-user-config -display none \
		-serial stdio -no-reboot $extra -kernel /l2/vmlinuz -initrd /l2/initrd.cpio.gz \
		-append "${cmdline// /%20}" \
		-device virtio-serial-device -chardev file,id=hvc,path=@HVC@ \
		-device virtconsole,chardev=hvc \
		-drive if=none,id=d0,file=/l2/disk.img,format=raw,readonly=on \
		-device virtio-blk-device,drive=d0
	echo
}

pack_kernel() { # arch pkg
	local a=$1 pkg=$2 root=$work/$1/root-$2 cfg
	rm -rf "$root"
	mkdir -p "$root"/{modules,l2}
	if [ -d "$kcache/kernels/$pkg/modules" ]; then
		cp "$kcache/kernels/$pkg/modules/"* "$root/modules/"
	fi
	cp "$(l1_kernel "$a" "$pkg")" "$root/l2/vmlinuz"
	# the L2 initramfs: guest-init.c and the virtio modules
	local l2=$work/$a/l2-$pkg
	rm -rf "$l2" && mkdir -p "$l2"/{proc,sys,dev,modules}
	cp "$work/$a/guest-init" "$l2/init"
	cp "$cache/l2mods/$pkg/"*.ko "$cache/l2mods/$pkg/order" "$l2/modules/" 2>/dev/null ||
		cp "$cache/l2mods/$pkg/order" "$l2/modules/"
	(cd "$l2" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$root/l2/initrd.cpio.gz"
	rm -rf "$l2"
	{
		for cfg in $configs; do
			echo "PAIR $cfg $l2_timeout ${KVMRC_REALVMM_SHIM_ENV:+$KVMRC_REALVMM_SHIM_ENV }$(qemu_args "$a" "$cfg")"
		done
		case " $wrapper " in
		*" $(series_of "$pkg") "*) echo "WRAP wrapper $l2_timeout $(qemu_args "$a" base)" ;;
		esac
		case " $control " in
		*" $(series_of "$pkg") "*) echo "CONTROL control $l2_timeout $(qemu_args "$a" base)" ;;
		esac
	} >"$work/$a/runs-$pkg"
	cp "$work/$a/runs-$pkg" "$root/runs"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$work/$a/kernel-$pkg.cpio.gz"
	cat "$work/$a/qemu-root.cpio.gz" "$work/$a/kernel-$pkg.cpio.gz" >"$work/$a/l1-$pkg.cpio.gz"
	rm -rf "$root" "$work/$a/kernel-$pkg.cpio.gz"
}

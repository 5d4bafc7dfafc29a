/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps.c - which capabilities a VM has, asked once when it is created.
 * KVM_CHECK_EXTENSION goes to the VM fd where the kernel supports that
 * (KVM_CAP_CHECK_EXTENSION_VM), else to /dev/kvm.  KVM_ENABLE_CAP calls the
 * VMM makes are added as they succeed.  Nothing here runs on KVM_RUN.
 */
#include <linux/kvm.h>
#include "exits.h"
#include "real.h"
#include "caps.h"

void kvmrc_caps_enabled(struct kvmrc_vm *vm, unsigned int cap)
{
	if (cap < 256)
		__atomic_or_fetch(&vm->caps.bits[cap / 64], 1ull << (cap % 64), __ATOMIC_RELEASE);
}

void kvmrc_caps_probe(struct kvmrc_vm *vm, int vm_fd, int sys_fd)
{
	int on_vm = kvmrc_next_ioctl(sys_fd, KVM_CHECK_EXTENSION,
				     (void *)(uintptr_t)KVM_CAP_CHECK_EXTENSION_VM) > 0;

	/* exactly the capabilities the writes table asks about, each once */
	struct kvmrun_compat_caps asked = { { 0 } };
	for (unsigned int i = 0; i < kvmrc_write_count; i++) {
		if (kvmrc_writes[i].cond != KVMRC_W_CAP)
			continue;
		unsigned int c = kvmrc_writes[i].arg;
		if (c >= 256 || (asked.bits[c / 64] >> (c % 64)) & 1)
			continue;
		asked.bits[c / 64] |= 1ull << (c % 64);
		if (kvmrc_next_ioctl(on_vm ? vm_fd : sys_fd, KVM_CHECK_EXTENSION, (void *)(uintptr_t)c) > 0)
			kvmrc_caps_enabled(vm, c);
	}
}

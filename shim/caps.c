/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps.c - which capabilities a VM has, asked once when it is created.
 * KVM_CHECK_EXTENSION goes to the VM fd where the kernel supports that
 * (KVM_CAP_CHECK_EXTENSION_VM), else to /dev/kvm.  KVM_ENABLE_CAP calls the
 * VMM makes are added as they succeed.  Nothing here runs on KVM_RUN.
 */
#include <linux/kvm.h>
#include "rules.h"
#include "shim.h"

void kvmrc_caps_enabled(struct kvmrc_vm *vm, unsigned int cap)
{
	if (cap < 256)
		__atomic_or_fetch(&vm->caps.bits[cap / 64], 1ull << (cap % 64), __ATOMIC_RELEASE);
}

void kvmrc_caps_probe(struct kvmrc_vm *vm, int vm_fd, int sys_fd)
{
	int on_vm = kvmrc_next_ioctl(sys_fd, KVM_CHECK_EXTENSION,
				     (void *)(uintptr_t)KVM_CAP_CHECK_EXTENSION_VM) > 0;

	for (const uint16_t *c = kvmrc_rule_caps; *c; c++) {
		int r = kvmrc_next_ioctl(on_vm ? vm_fd : sys_fd, KVM_CHECK_EXTENSION, (void *)(uintptr_t)*c);
		if (r > 0)
			kvmrc_caps_enabled(vm, *c);
	}
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-profile.c - the kernels the emulator can pretend to be, and what each
 * answers to KVM_CHECK_EXTENSION and KVM_GET_VCPU_MMAP_SIZE.
 *
 * A profile is data: architecture + kernel version.  Writers in emu-arm64.c
 * and emu-x86.c compare p->kver against the version a behaviour appeared in.
 */
#include <stdio.h>
#include <string.h>
#include "emu.h"

static const struct emu_profile profiles[] = {
	{ "arm64-5.10",  EMU_ARM64,  KV(5, 10) },
	{ "arm64-5.15",  EMU_ARM64,  KV(5, 15) },
	{ "arm64-5.18",  EMU_ARM64,  KV(5, 18) },
	{ "arm64-6.1",   EMU_ARM64,  KV(6, 1) },
	{ "arm64-6.12",  EMU_ARM64,  KV(6, 12) },
	{ "arm64-6.19",  EMU_ARM64,  KV(6, 19) },
	{ "x86_64-5.4",  EMU_X86_64, KV(5, 4) },
	{ "x86_64-5.10", EMU_X86_64, KV(5, 10) },
	{ "x86_64-5.15", EMU_X86_64, KV(5, 15) },
	{ "x86_64-6.1",  EMU_X86_64, KV(6, 1) },
	{ "x86_64-6.6",  EMU_X86_64, KV(6, 6) },
	{ "x86_64-6.12", EMU_X86_64, KV(6, 12) },
	{ "riscv64-6.1", EMU_RISCV64, KV(6, 1) },
};

const struct emu_profile *emu_profile_find(const char *name)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

void emu_profile_names(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? " " : "", profiles[i].name);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

/*
 * KVM_GET_VCPU_MMAP_SIZE (virt/kvm/kvm_main.c kvm_dev_ioctl): one page for
 * kvm_run, plus the pio data page on x86 (KVM_PIO_PAGE_OFFSET 1), plus the
 * coalesced MMIO ring page (CONFIG_KVM_MMIO; x86 offset 2, arm64 offset 1).
 */
size_t emu_profile_mmap_size(const struct emu_profile *p)
{
	return p->arch == EMU_X86_64 ? 3 * EMU_PAGE : 2 * EMU_PAGE; /* riscv: ring at 1 */
}

#ifndef KVM_CAP_X86_BUS_LOCK_EXIT
#define KVM_CAP_X86_BUS_LOCK_EXIT 193
#endif
#ifndef KVM_CAP_EXIT_HYPERCALL
#define KVM_CAP_EXIT_HYPERCALL 201
#endif
#ifndef KVM_CAP_EXIT_ON_EMULATION_FAILURE
#define KVM_CAP_EXIT_ON_EMULATION_FAILURE 204
#endif
#ifndef KVM_CAP_SYSTEM_EVENT_DATA
#define KVM_CAP_SYSTEM_EVENT_DATA 215
#endif
#ifndef KVM_CAP_ARM_NISV_TO_USER
#define KVM_CAP_ARM_NISV_TO_USER 177
#endif
#ifndef KVM_CAP_X86_USER_SPACE_MSR
#define KVM_CAP_X86_USER_SPACE_MSR 188
#endif

struct emu_cap {
	long cap;
	int arch;		/* -1: every architecture */
	int since;		/* first kernel version answering it */
	long value;
};

/*
 * Only capabilities a VMM or the shim plausibly probes.  Values and
 * versions: virt/kvm/kvm_main.c kvm_vm_ioctl_check_extension_generic,
 * arch/arm64/kvm/arm.c and arch/x86/kvm/x86.c kvm_vm_ioctl_check_extension
 * (checked in 6.1 and 6.12 sources); "since" versions from the kernel
 * history where noted, see the report for those not verified.
 */
static const struct emu_cap caps[] = {
	{ KVM_CAP_USER_MEMORY,            -1, KV(2, 6), 1 },
	{ KVM_CAP_DESTROY_MEMORY_REGION_WORKS, -1, KV(2, 6), 1 },
	{ KVM_CAP_JOIN_MEMORY_REGIONS_WORKS, -1, KV(2, 6), 1 },
	{ KVM_CAP_INTERNAL_ERROR_DATA,    -1, KV(2, 6), 1 },
	{ KVM_CAP_IOEVENTFD,              -1, KV(2, 6), 1 },
	{ KVM_CAP_IRQFD,                  -1, KV(2, 6), 1 },
	{ KVM_CAP_SET_GUEST_DEBUG,        -1, KV(2, 6), 1 },
	{ KVM_CAP_ONE_REG,                -1, KV(3, 8), 1 },
	{ KVM_CAP_READONLY_MEM,           -1, KV(3, 8), 1 },
	{ KVM_CAP_CHECK_EXTENSION_VM,     -1, KV(4, 0), 1 },
	{ KVM_CAP_IMMEDIATE_EXIT,         -1, KV(4, 11), 1 },
	{ KVM_CAP_NR_VCPUS,               -1, KV(2, 6), 4 },
	{ KVM_CAP_MAX_VCPUS,              -1, KV(2, 6), 512 },
	{ KVM_CAP_NR_MEMSLOTS,            -1, KV(2, 6), 512 },
	{ KVM_CAP_SYSTEM_EVENT_DATA,      -1, KV(5, 18), 1 },	/* d495f942f40a */
	/* coalesced MMIO: the value is the page offset in the vcpu mapping */
	{ KVM_CAP_COALESCED_MMIO,  EMU_ARM64, KV(4, 0), 1 },
	{ KVM_CAP_ARM_PSCI,        EMU_ARM64, KV(3, 9), 1 },
	{ KVM_CAP_ARM_PSCI_0_2,    EMU_ARM64, KV(3, 16), 1 },
	{ KVM_CAP_ARM_PMU_V3,      EMU_ARM64, KV(4, 10), 1 },
	{ KVM_CAP_ARM_NISV_TO_USER, EMU_ARM64, KV(5, 5), 1 },
	{ KVM_CAP_COALESCED_MMIO, EMU_X86_64, KV(2, 6), 2 },
	{ KVM_CAP_EXT_CPUID,      EMU_X86_64, KV(2, 6), 1 },
	{ KVM_CAP_HYPERV,         EMU_X86_64, KV(2, 6), 1 },	/* x86.c: case KVM_CAP_HYPERV: r = 1 */
	{ KVM_CAP_X86_SMM,        EMU_X86_64, KV(4, 2), 1 },
	{ KVM_CAP_X86_USER_SPACE_MSR, EMU_X86_64, KV(5, 10), 1 },
	{ KVM_CAP_X86_BUS_LOCK_EXIT, EMU_X86_64, KV(5, 12), 1 },
	/* value = KVM_EXIT_HYPERCALL_VALID_MASK = 1 << KVM_HC_MAP_GPA_RANGE (12) */
	{ KVM_CAP_EXIT_HYPERCALL, EMU_X86_64, KV(5, 14), 1L << 12 },
	{ KVM_CAP_EXIT_ON_EMULATION_FAILURE, EMU_X86_64, KV(5, 14), 1 },
	{ KVM_CAP_X86_GUEST_MODE, EMU_X86_64, KV(6, 11), 1 },
	/* x86.c: "case KVM_CAP_MEMORY_FAULT_INFO: r = 1" (6.8, guest_memfd) */
	{ KVM_CAP_MEMORY_FAULT_INFO, EMU_X86_64, KV(6, 8), 1 },
	/* arm.c kvm_vm_ioctl_check_extension, "VM exit to userspace to handle SEA" */
	{ KVM_CAP_ARM_SEA_TO_USER, EMU_ARM64, KV(6, 19), 1 },
	/* kvm_main.c: CONFIG_KVM_MMIO, KVM_COALESCED_MMIO_PAGE_OFFSET 1 (riscv 5.16) */
	{ KVM_CAP_COALESCED_MMIO, EMU_RISCV64, KV(5, 16), 1 },
};

long emu_profile_cap(const struct emu_profile *p, long cap)
{
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (caps[i].cap != cap)
			continue;
		if (caps[i].arch != -1 && caps[i].arch != (int)p->arch)
			continue;
		if (p->kver < caps[i].since)
			continue;
		return caps[i].value;
	}
	return 0;
}

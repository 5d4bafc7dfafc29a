/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi-caps.c - the mainline release each KVM capability (150 to the newest)
 * appeared in, per architecture, and the set --abi=VERSION hides.
 *
 * Numbers and names are the KVM_CAP_* defines of include/uapi/linux/kvm.h;
 * each row's release lies between the newest snapshot without the define
 * and the oldest with it (docs/abi-ledger.md, "Capabilities by version").
 * The architecture mask names the architectures whose kernels answer the
 * capability; PPC rows are kept so the numbering has no holes.
 *
 * The hidden set is a bitmap built once, when the configuration is read;
 * the ioctl path only tests one bit.  Nothing here runs on KVM_RUN.
 */
#include <stddef.h>
#include <linux/kvm.h>
#include "abi-caps.h"

#define X KVMRC_ABI_X86_64
#define A KVMRC_ABI_ARM64
#define R KVMRC_ABI_RISCV64
#define S KVMRC_ABI_S390X
#define P KVMRC_ABI_PPC

const struct kvmrc_abi_cap kvmrc_abi_caps_table[] = {
	{ 150, "KVM_CAP_S390_AIS_MIGRATION", S, KVMRC_KV(4, 15, 0) },
	{ 151, "KVM_CAP_PPC_GET_CPU_CHAR", P, KVMRC_KV(4, 15, 0) },
	{ 152, "KVM_CAP_S390_BPB", S, KVMRC_KV(4, 16, 0) },
	{ 153, "KVM_CAP_GET_MSR_FEATURES", X, KVMRC_KV(4, 17, 0) },
	{ 154, "KVM_CAP_HYPERV_EVENTFD", X, KVMRC_KV(4, 17, 0) },
	{ 155, "KVM_CAP_HYPERV_TLBFLUSH", X, KVMRC_KV(4, 18, 0) },
	{ 156, "KVM_CAP_S390_HPAGE_1M", S, KVMRC_KV(4, 19, 0) },
	{ 157, "KVM_CAP_NESTED_STATE", X, KVMRC_KV(4, 19, 0) },
	{ 158, "KVM_CAP_ARM_INJECT_SERROR_ESR", A, KVMRC_KV(4, 19, 0) },
	{ 159, "KVM_CAP_MSR_PLATFORM_INFO", X, KVMRC_KV(4, 19, 0) },
	{ 160, "KVM_CAP_PPC_NESTED_HV", P, KVMRC_KV(4, 20, 0) },
	{ 161, "KVM_CAP_HYPERV_SEND_IPI", X, KVMRC_KV(4, 20, 0) },
	{ 162, "KVM_CAP_COALESCED_PIO", X|A|R|S, KVMRC_KV(4, 20, 0) },
	{ 163, "KVM_CAP_HYPERV_ENLIGHTENED_VMCS", X, KVMRC_KV(4, 20, 0) },
	{ 164, "KVM_CAP_EXCEPTION_PAYLOAD", X, KVMRC_KV(4, 20, 0) },
	{ 165, "KVM_CAP_ARM_VM_IPA_SIZE", A, KVMRC_KV(4, 20, 0) },
	{ 166, "KVM_CAP_MANUAL_DIRTY_LOG_PROTECT", X|A|R|S, KVMRC_KV(5, 0, 0) },
	{ 167, "KVM_CAP_HYPERV_CPUID", X, KVMRC_KV(5, 0, 0) },
	{ 168, "KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2", X|A|R|S, KVMRC_KV(5, 2, 0) },
	{ 169, "KVM_CAP_PPC_IRQ_XIVE", P, KVMRC_KV(5, 2, 0) },
	{ 170, "KVM_CAP_ARM_SVE", A, KVMRC_KV(5, 2, 0) },
	{ 171, "KVM_CAP_ARM_PTRAUTH_ADDRESS", A, KVMRC_KV(5, 2, 0) },
	{ 172, "KVM_CAP_ARM_PTRAUTH_GENERIC", A, KVMRC_KV(5, 2, 0) },
	{ 173, "KVM_CAP_PMU_EVENT_FILTER", X, KVMRC_KV(5, 3, 0) },
	{ 174, "KVM_CAP_ARM_IRQ_LINE_LAYOUT_2", A, KVMRC_KV(5, 4, 0) },
	{ 175, "KVM_CAP_HYPERV_DIRECT_TLBFLUSH", X, KVMRC_KV(5, 4, 0) },
	{ 176, "KVM_CAP_PPC_GUEST_DEBUG_SSTEP", P, KVMRC_KV(5, 5, 0) },
	{ 177, "KVM_CAP_ARM_NISV_TO_USER", A, KVMRC_KV(5, 5, 0) },
	{ 178, "KVM_CAP_ARM_INJECT_EXT_DABT", A, KVMRC_KV(5, 5, 0) },
	{ 179, "KVM_CAP_S390_VCPU_RESETS", S, KVMRC_KV(5, 6, 0) },
	{ 180, "KVM_CAP_S390_PROTECTED", S, KVMRC_KV(5, 7, 0) },
	{ 181, "KVM_CAP_PPC_SECURE_GUEST", P, KVMRC_KV(5, 7, 0) },
	{ 182, "KVM_CAP_HALT_POLL", X|A|R|S, KVMRC_KV(5, 8, 0) },
	{ 183, "KVM_CAP_ASYNC_PF_INT", X, KVMRC_KV(5, 8, 0) },
	{ 184, "KVM_CAP_LAST_CPU", X, KVMRC_KV(5, 9, 0) },
	{ 185, "KVM_CAP_SMALLER_MAXPHYADDR", X, KVMRC_KV(5, 9, 0) },
	{ 186, "KVM_CAP_S390_DIAG318", S, KVMRC_KV(5, 10, 0) },
	{ 187, "KVM_CAP_STEAL_TIME", A, KVMRC_KV(5, 10, 0) },
	{ 188, "KVM_CAP_X86_USER_SPACE_MSR", X, KVMRC_KV(5, 10, 0) },
	{ 189, "KVM_CAP_X86_MSR_FILTER", X, KVMRC_KV(5, 10, 0) },
	{ 190, "KVM_CAP_ENFORCE_PV_FEATURE_CPUID", X, KVMRC_KV(5, 10, 0) },
	{ 191, "KVM_CAP_SYS_HYPERV_CPUID", X, KVMRC_KV(5, 11, 0) },
	{ 192, "KVM_CAP_DIRTY_LOG_RING", X|A|R, KVMRC_KV(5, 11, 0) },
	{ 193, "KVM_CAP_X86_BUS_LOCK_EXIT", X, KVMRC_KV(5, 12, 0) },
	{ 194, "KVM_CAP_PPC_DAWR1", P, KVMRC_KV(5, 12, 0) },
	{ 195, "KVM_CAP_SET_GUEST_DEBUG2", X|A|S, KVMRC_KV(5, 12, 0) },
	{ 196, "KVM_CAP_SGX_ATTRIBUTE", X, KVMRC_KV(5, 13, 0) },
	{ 197, "KVM_CAP_VM_COPY_ENC_CONTEXT_FROM", X, KVMRC_KV(5, 13, 0) },
	{ 198, "KVM_CAP_PTP_KVM", A, KVMRC_KV(5, 13, 0) },
	{ 199, "KVM_CAP_HYPERV_ENFORCE_CPUID", X, KVMRC_KV(5, 14, 0) },
	{ 200, "KVM_CAP_SREGS2", X, KVMRC_KV(5, 14, 0) },
	{ 201, "KVM_CAP_EXIT_HYPERCALL", X, KVMRC_KV(5, 14, 0) },
	{ 202, "KVM_CAP_PPC_RPT_INVALIDATE", P, KVMRC_KV(5, 14, 0) },
	{ 203, "KVM_CAP_BINARY_STATS_FD", X|A|R|S, KVMRC_KV(5, 14, 0) },
	{ 204, "KVM_CAP_EXIT_ON_EMULATION_FAILURE", X, KVMRC_KV(5, 14, 0) },
	{ 205, "KVM_CAP_ARM_MTE", A, KVMRC_KV(5, 14, 0) },
	{ 206, "KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM", X, KVMRC_KV(5, 16, 0) },
	{ 207, "KVM_CAP_VM_GPA_BITS", R, KVMRC_KV(5, 17, 0) },
	{ 208, "KVM_CAP_XSAVE2", X, KVMRC_KV(5, 17, 0) },
	{ 209, "KVM_CAP_SYS_ATTRIBUTES", X, KVMRC_KV(5, 17, 0) },
	{ 210, "KVM_CAP_PPC_AIL_MODE_3", P, KVMRC_KV(5, 18, 0) },
	{ 211, "KVM_CAP_S390_MEM_OP_EXTENSION", S, KVMRC_KV(5, 18, 0) },
	{ 212, "KVM_CAP_PMU_CAPABILITY", X, KVMRC_KV(5, 18, 0) },
	{ 213, "KVM_CAP_DISABLE_QUIRKS2", X, KVMRC_KV(5, 18, 0) },
	{ 214, "KVM_CAP_VM_TSC_CONTROL", X, KVMRC_KV(5, 18, 0) },
	{ 215, "KVM_CAP_SYSTEM_EVENT_DATA", X|A|R|S, KVMRC_KV(5, 18, 0) },
	{ 216, "KVM_CAP_ARM_SYSTEM_SUSPEND", A, KVMRC_KV(5, 19, 0) },
	{ 217, "KVM_CAP_S390_PROTECTED_DUMP", S, KVMRC_KV(6, 0, 0) },
	{ 218, "KVM_CAP_X86_TRIPLE_FAULT_EVENT", X, KVMRC_KV(6, 0, 0) },
	{ 219, "KVM_CAP_X86_NOTIFY_VMEXIT", X, KVMRC_KV(6, 0, 0) },
	{ 220, "KVM_CAP_VM_DISABLE_NX_HUGE_PAGES", X, KVMRC_KV(6, 0, 0) },
	{ 221, "KVM_CAP_S390_ZPCI_OP", S, KVMRC_KV(6, 0, 0) },
	{ 222, "KVM_CAP_S390_CPU_TOPOLOGY", S, KVMRC_KV(6, 0, 0) },
	{ 223, "KVM_CAP_DIRTY_LOG_RING_ACQ_REL", X|A|R, KVMRC_KV(6, 1, 0) },
	{ 224, "KVM_CAP_S390_PROTECTED_ASYNC_DISABLE", S, KVMRC_KV(6, 2, 0) },
	{ 225, "KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP", A, KVMRC_KV(6, 3, 0) },
	{ 226, "KVM_CAP_PMU_EVENT_MASKED_EVENTS", X, KVMRC_KV(6, 3, 0) },
	{ 227, "KVM_CAP_COUNTER_OFFSET", A, KVMRC_KV(6, 4, 0) },
	{ 228, "KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE", A, KVMRC_KV(6, 5, 0) },
	{ 229, "KVM_CAP_ARM_SUPPORTED_BLOCK_SIZES", A, KVMRC_KV(6, 5, 0) },
	{ 230, "KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES", A, KVMRC_KV(6, 8, 0) },
	{ 231, "KVM_CAP_USER_MEMORY2", X|A|R|S, KVMRC_KV(6, 8, 0) },
	{ 232, "KVM_CAP_MEMORY_FAULT_INFO", X, KVMRC_KV(6, 8, 0) },
	{ 233, "KVM_CAP_MEMORY_ATTRIBUTES", X, KVMRC_KV(6, 8, 0) },
	{ 234, "KVM_CAP_GUEST_MEMFD", X|A, KVMRC_KV(6, 8, 0) },
	{ 235, "KVM_CAP_VM_TYPES", X, KVMRC_KV(6, 8, 0) },
	{ 236, "KVM_CAP_PRE_FAULT_MEMORY", X, KVMRC_KV(6, 11, 0) },
	{ 237, "KVM_CAP_X86_APIC_BUS_CYCLES_NS", X, KVMRC_KV(6, 11, 0) },
	{ 238, "KVM_CAP_X86_GUEST_MODE", X, KVMRC_KV(6, 11, 0) },
	{ 239, "KVM_CAP_ARM_WRITABLE_IMP_ID_REGS", A, KVMRC_KV(6, 15, 0) },
	{ 240, "KVM_CAP_ARM_EL2", A, KVMRC_KV(6, 16, 0) },
	{ 241, "KVM_CAP_ARM_EL2_E2H0", A, KVMRC_KV(6, 16, 0) },
	{ 242, "KVM_CAP_RISCV_MP_STATE_RESET", R, KVMRC_KV(6, 16, 0) },
	{ 243, "KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED", A, KVMRC_KV(6, 17, 0) },
	{ 244, "KVM_CAP_GUEST_MEMFD_FLAGS", X|A, KVMRC_KV(6, 18, 0) },
	{ 245, "KVM_CAP_ARM_SEA_TO_USER", A, KVMRC_KV(6, 19, 0) },
	{ 246, "KVM_CAP_S390_USER_OPEREXEC", S, KVMRC_KV(6, 19, 0) },
	{ 247, "KVM_CAP_S390_KEYOP", S, KVMRC_KV(7, 0, 0) },
	{ 248, "KVM_CAP_S390_VSIE_ESAMODE", S, KVMRC_KV(7, 1, 0) },
};
const unsigned int kvmrc_abi_caps_count = sizeof(kvmrc_abi_caps_table) / sizeof(kvmrc_abi_caps_table[0]);

/* Mainline releases the table answers for: from the oldest kernel the
 * project runs on (5.4) to the release of the newest row. */
static const uint32_t known[] = {
	KVMRC_KV(5, 4, 0), KVMRC_KV(5, 5, 0), KVMRC_KV(5, 6, 0), KVMRC_KV(5, 7, 0), KVMRC_KV(5, 8, 0),
	KVMRC_KV(5, 9, 0), KVMRC_KV(5, 10, 0), KVMRC_KV(5, 11, 0), KVMRC_KV(5, 12, 0), KVMRC_KV(5, 13, 0),
	KVMRC_KV(5, 14, 0), KVMRC_KV(5, 15, 0), KVMRC_KV(5, 16, 0), KVMRC_KV(5, 17, 0), KVMRC_KV(5, 18, 0),
	KVMRC_KV(5, 19, 0), KVMRC_KV(6, 0, 0), KVMRC_KV(6, 1, 0), KVMRC_KV(6, 2, 0), KVMRC_KV(6, 3, 0),
	KVMRC_KV(6, 4, 0), KVMRC_KV(6, 5, 0), KVMRC_KV(6, 6, 0), KVMRC_KV(6, 7, 0), KVMRC_KV(6, 8, 0),
	KVMRC_KV(6, 9, 0), KVMRC_KV(6, 10, 0), KVMRC_KV(6, 11, 0), KVMRC_KV(6, 12, 0), KVMRC_KV(6, 13, 0),
	KVMRC_KV(6, 14, 0), KVMRC_KV(6, 15, 0), KVMRC_KV(6, 16, 0), KVMRC_KV(6, 17, 0), KVMRC_KV(6, 18, 0),
	KVMRC_KV(6, 19, 0), KVMRC_KV(7, 0, 0), KVMRC_KV(7, 1, 0),
};

int kvmrc_abi_caps_known(uint32_t kv)
{
	uint32_t series = kv & ~(uint32_t)0xff; /* stable releases add no capability */

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i] == series)
			return 1;
	return 0;
}

unsigned int kvmrc_abi_caps_arch_bit(enum kvmrun_compat_arch arch)
{
	switch (arch) {
	case KVMRUN_COMPAT_ARCH_X86_64:
		return KVMRC_ABI_X86_64;
	case KVMRUN_COMPAT_ARCH_ARM64:
		return KVMRC_ABI_ARM64;
	case KVMRUN_COMPAT_ARCH_RISCV64:
		return KVMRC_ABI_RISCV64;
	case KVMRUN_COMPAT_ARCH_S390X:
		return KVMRC_ABI_S390X;
	default:
		return 0;
	}
}

const struct kvmrc_abi_cap *kvmrc_abi_caps_find(unsigned int cap)
{
	for (unsigned int i = 0; i < kvmrc_abi_caps_count; i++)
		if (kvmrc_abi_caps_table[i].cap == cap)
			return &kvmrc_abi_caps_table[i];
	return NULL;
}

int kvmrc_abi_caps_hidden_by(uint32_t abi, enum kvmrun_compat_arch arch, unsigned int cap)
{
	const struct kvmrc_abi_cap *c = kvmrc_abi_caps_find(cap);

	return abi && c && (c->arches & kvmrc_abi_caps_arch_bit(arch)) && c->since > (abi & ~(uint32_t)0xff);
}

/* Written once by kvmrc_abi_caps_configure, before any KVM fd is tracked. */
static uint64_t hidden[KVMRC_ABI_CAPS_MAX / 64];
static int any_hidden;

void kvmrc_abi_caps_configure(uint32_t abi, enum kvmrun_compat_arch arch)
{
	for (unsigned int i = 0; i < KVMRC_ABI_CAPS_MAX / 64; i++)
		hidden[i] = 0;
	any_hidden = 0;
	for (unsigned int i = 0; i < kvmrc_abi_caps_count; i++) {
		unsigned int cap = kvmrc_abi_caps_table[i].cap;
		if (cap < KVMRC_ABI_CAPS_MAX && kvmrc_abi_caps_hidden_by(abi, arch, cap))
			hidden[cap / 64] |= 1ull << (cap % 64), any_hidden = 1;
	}
}

int kvmrc_abi_caps_enable_refused(const void *arg)
{
	/* arg is read only under --abi: without it an invalid pointer still
	 * reaches the kernel and fails there with EFAULT */
	return any_hidden && arg && kvmrc_abi_caps_hidden(((const struct kvm_enable_cap *)arg)->cap);
}

int kvmrc_abi_caps_hidden(unsigned long cap)
{
	return cap < KVMRC_ABI_CAPS_MAX && ((hidden[cap / 64] >> (cap % 64)) & 1);
}

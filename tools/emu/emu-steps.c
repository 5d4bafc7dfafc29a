/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-steps.c - the scenario language's vocabulary: each step kind (the exit
 * it produces, the architecture and first kernel that produce it, the keys
 * it takes) and each key (where it goes in struct emu_step, what it may
 * hold).  emu-scenario.c parses text against these two tables.
 */
#include <stddef.h>
#include <string.h>
#include "emu.h"

static const struct emu_step_kind kinds[] = {
	{ "mmio",           EK_MMIO,           -1,         0,         " addr len write data " },
	{ "debug",          EK_DEBUG,          EMU_ARM64,  0,         " ec iss esr_high far " },
	{ "system_event",   EK_SYSTEM_EVENT,   -1,         0,         " type flags " },
	/* arm64 handle_exit default case; x86 vmx.c delivery-event exit */
	{ "internal_error", EK_INTERNAL_ERROR, -1,         0,         " reason " },
	{ "aarch32_el0",    EK_AARCH32_EL0,    EMU_ARM64,  0,         " " },
	/* arch/arm64/kvm/arm.c kvm_vcpu_exit_request, "Refuse to run VCPU if
	 * the PMU doesn't match the physical CPU" (5.18) */
	{ "pmu_mismatch",   EK_PMU_MISMATCH,   EMU_ARM64,  KV(5, 18), " cpu " },
	{ "hyp_gone",       EK_HYP_GONE,       EMU_ARM64,  0,         " " },
	{ "io",             EK_IO,             EMU_X86_64, 0,         " port dir size count data " },
	{ "debug_db",       EK_DEBUG_DB,       EMU_X86_64, 0,         " pc dr6 dr7 " },
	/* the hardware single-step: the #DB intercept (svm.c db_interception,
	 * vmx.c handle_exception_nmi) writes dr6 and dr7 (default DR6.BS,
	 * 0x400), unlike the emulator's "singlestep" */
	{ "hwstep",         EK_DEBUG_DB,       EMU_X86_64, 0,         " pc dr6 dr7 " },
	{ "debug_bp",       EK_DEBUG_BP,       EMU_X86_64, 0,         " pc " },
	/* KVM_HC_MAP_GPA_RANGE exit, KVM_CAP_EXIT_HYPERCALL */
	{ "hypercall",      EK_HYPERCALL,      EMU_X86_64, KV(5, 14), " nr a0 a1 a2 longmode " },
	{ "hyperv_crash",   EK_HYPERV_CRASH,   EMU_X86_64, 0,         " " },
	{ "fail_entry",     EK_FAIL_ENTRY,     EMU_X86_64, 0,         " reason cpu " },
	/* x86.c kvm_emulate_halt without an in-kernel LAPIC: KVM_EXIT_HLT */
	{ "hlt",            EK_HLT,            EMU_X86_64, 0,         " " },
	/* x86.c kvm_msr_user_space, KVM_CAP_X86_USER_SPACE_MSR (5.10) */
	{ "rdmsr",          EK_RDMSR,          EMU_X86_64, KV(5, 10), " index reason " },
	{ "wrmsr",          EK_WRMSR,          EMU_X86_64, KV(5, 10), " index reason data " },
	/* x86.c kvm_vcpu_do_singlestep (emulated instruction, single-step) */
	{ "singlestep",     EK_SINGLESTEP,     EMU_X86_64, 0,         " pc " },
	/* guest_memfd series: kvm_prepare_memory_fault_exit (x86, 6.8) */
	{ "memory_fault",   EK_MEMORY_FAULT,   EMU_X86_64, KV(6, 8),  " gpa bytes private " },
	/* a fault KVM cannot resolve and does not annotate: -EFAULT */
	{ "efault",         EK_EFAULT,         -1,         0,         " " },
	/* arm64 hypercalls.c kvm_prepare_hypercall_exit (SMCCC filter, 6.4) */
	{ "smccc",          EK_SMCCC,          EMU_ARM64,  KV(6, 4),  " fid smc " },
	/* arm64 mmio.c io_mem_abort, KVM_CAP_ARM_NISV_TO_USER (5.5) */
	{ "nisv",           EK_NISV,           EMU_ARM64,  KV(5, 5),  " iss addr " },
	/* arm64 mmu.c kvm_handle_guest_sea, KVM_CAP_ARM_SEA_TO_USER (6.19) */
	{ "sea",            EK_SEA,            EMU_ARM64,  KV(6, 19), " gva gpa fnv gpa_valid " },
	/* riscv vcpu_sbi.c kvm_riscv_vcpu_sbi_forward (5.16) */
	{ "sbi",            EK_SBI,            EMU_RISCV64, KV(5, 16), " ext fid a0 a1 a2 " },
	/* riscv vcpu_insn.c csr_insn (6.0) */
	{ "csr",            EK_CSR,            EMU_RISCV64, KV(6, 0), " csr data mask " },
};

const struct emu_step_kind *emu_step_kind_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* The numeric keys of a step: where each goes in struct emu_step and what it
 * may hold (lo..hi; EMU_KEY_POW2: a power of two in that range). */
static const struct emu_step_key step_keys[] = {
#define KEY(n, f, how, lo, hi, why) \
	{ n, offsetof(struct emu_step, f), sizeof(((struct emu_step *)0)->f), how, lo, hi, why }
#define U64(n, f) KEY(n, f, 0, 0, UINT64_MAX, NULL)
#define U32 KEY
#define FLAG(n, f) U32(n, f, 0, 0, 1, "flag must be 0 or 1, not")
	U64("addr", addr),
	U32("len", len, EMU_KEY_POW2, 1, 8, "len must be 1, 2, 4 or 8, not"),
	U32("write", write, 0, 0, 1, "write must be 0 or 1, not"),
	KEY("data", data, EMU_KEY_HAS_DATA, 0, UINT64_MAX, NULL),
	U32("iss", iss, 0, 0, 0x1ffffff, "iss wider than 25 bits"),
	KEY("esr_high", esr_high, 0, 0, 0xffffffffu, "esr_high wider than 32 bits"),
	U64("far", far),
	U64("flags", data),
	U32("cpu", cpu, 0, 0, 0xffffffffu, "cpu out of range"),
	U32("port", port, 0, 0, 0xffff, "port out of range"),
	U32("size", size, EMU_KEY_POW2, 1, 4, "size must be 1, 2 or 4, not"),
	U32("count", count, 0, 1, 1024, "count must be 1..1024, not"),
	U64("pc", pc),
	U64("dr6", dr6),
	U64("dr7", dr7),
	U64("nr", nr),
	U64("a0", args[0]),
	U64("a1", args[1]),
	U64("a2", args[2]),
	U32("longmode", longmode, EMU_KEY_BOOL, 0, UINT64_MAX, NULL),
	U64("reason", reason),
	U32("index", index, 0, 0, 0xffffffffu, "MSR index wider than 32 bits"),
	U64("gva", gva),
	U64("gpa", gpa),
	U64("bytes", bytes),
	U64("mask", mask),
	FLAG("private", priv),
	FLAG("fnv", fnv),
	FLAG("gpa_valid", gpa_valid),
	FLAG("smc", smc),
	U32("ext", ext, 0, 0, 0xffffffffu, "value wider than 32 bits"),
	U32("fid", fid, 0, 0, 0xffffffffu, "value wider than 32 bits"),
	U32("csr", csr, 0, 0, 0xfff, "csr number wider than 12 bits"),
#undef KEY
#undef U64
#undef U32
#undef FLAG
};

const struct emu_step_key *emu_step_key_find(const char *name)
{
	for (size_t i = 0; i < sizeof(step_keys) / sizeof(step_keys[0]); i++)
		if (!strcmp(step_keys[i].name, name))
			return &step_keys[i];
	return NULL;
}


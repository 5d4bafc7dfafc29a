/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rules.c - the rule table.  One row per kvm_run field that some kernel leaves
 * unwritten on some exit.  Each row names its ledger entry in docs/abi-ledger.md,
 * where the kernel source it rests on is quoted.  Offsets are checked against
 * the uapi headers in abi-check.c.
 *
 * Rows for one (arch, exit reason) must stay contiguous: engine.c indexes them.
 */
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "layout.h"
#include "rules.h"

#define ARM64 KVMRUN_COMPAT_ARCH_ARM64
#define X86   KVMRUN_COMPAT_ARCH_X86_64

#define RISCV KVMRUN_COMPAT_ARCH_RISCV64
#define S390  KVMRUN_COMPAT_ARCH_S390X

#define RET_OK     KVMRC_WHEN_RET_OK
#define RET_EFAULT KVMRC_WHEN_RET_EFAULT
#define RET_EINVAL KVMRC_WHEN_RET_EINVAL
#define BEFORE_RUN KVMRC_WHEN_BEFORE_RUN

/* internal.data[] entries at or beyond ndata: never part of the exit. */
#define INTERNAL_DATA_TAIL(arch_, an)                                                      \
	{ .name = an ".internal.data-beyond-ndata", .arch = arch_, .when = RET_OK,          \
	  .exit_reason = KVM_EXIT_INTERNAL_ERROR, .offset = L_INTERNAL_DATA, .size = 128,     \
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_ZERO_BEYOND,                         \
	  .action_arg = L_INTERNAL_NDATA,                                                     \
	  .since = "2.6.33", .source = "uapi kvm.h: data[0..ndata) only", .ledger = "G2" }

/* system_event: ndata exists only with KVM_CAP_SYSTEM_EVENT_DATA; it never
 * exceeds the array; data[] beyond ndata (and the legacy flags == data[0]
 * when ndata is 0) is not part of the exit. */
#define SYSTEM_EVENT_ROWS(arch_, an)                                                       \
	{ .name = an ".system_event.ndata", .arch = arch_, .when = RET_OK,                    \
	  .exit_reason = KVM_EXIT_SYSTEM_EVENT, .offset = L_SYSTEM_EVENT_NDATA, .size = 4,    \
	  .vouch = KVMRC_VOUCH_CAP, .vouch_arg = KVM_CAP_SYSTEM_EVENT_DATA,                   \
	  .action = KVMRC_ACT_ZERO, .since = "5.18",                                          \
	  .source = "d495f942f40a KVM: fix bad user ABI for KVM_EXIT_SYSTEM_EVENT",           \
	  .ledger = "G3" },                                                                   \
	{ .name = an ".system_event.ndata-bound", .arch = arch_, .when = RET_OK,              \
	  .exit_reason = KVM_EXIT_SYSTEM_EVENT, .offset = L_SYSTEM_EVENT_NDATA, .size = 4,    \
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_CLAMP_U32, .action_arg = 16,         \
	  .since = "5.18", .source = "uapi kvm.h: __u64 data[16]", .ledger = "G3" },          \
	{ .name = an ".system_event.data-beyond-ndata", .arch = arch_, .when = RET_OK,        \
	  .exit_reason = KVM_EXIT_SYSTEM_EVENT, .offset = L_SYSTEM_EVENT_DATA, .size = 128,   \
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_ZERO_BEYOND,                         \
	  .action_arg = L_SYSTEM_EVENT_NDATA, .since = "5.18",                                \
	  .source = "d495f942f40a; x86 Hyper-V crash/reset write type only (ndata = 0 since 5.18)", \
	  .ledger = "G4" }

/* flags is output-only on arm64, riscv64 and s390x (nothing in their KVM
 * code reads run->flags); kernels that never write it keep the VMM's value. */
#define FLAGS_CLEAR_BEFORE_RUN(arch_, an, since_, src, row)                                \
	{ .name = an ".flags.clear-before-run", .arch = arch_, .when = BEFORE_RUN,            \
	  .exit_reason = KVMRC_EXIT_ANY, .offset = L_FLAGS, .size = 2,                        \
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_ZERO,                                \
	  .since = since_, .source = src, .ledger = row }

/* KVM_EXIT_MEMORY_FAULT comes with KVM_RUN -1/EFAULT or EHWPOISON; only a
 * kernel with KVM_CAP_MEMORY_FAULT_INFO (232) ever fills memory_fault. */
#define MEMORY_FAULT_ROW(arch_, an)                                                        \
	{ .name = an ".memory_fault.fields", .arch = arch_, .when = RET_EFAULT,               \
	  .exit_reason = KVM_EXIT_MEMORY_FAULT, .offset = L_MEMORY_FAULT,                     \
	  .size = L_MEMORY_FAULT_SIZE, .vouch = KVMRC_VOUCH_CAP,                              \
	  .vouch_arg = KVM_CAP_MEMORY_FAULT_INFO, .action = KVMRC_ACT_ZERO, .since = "6.8",   \
	  .source = "kvm_host.h kvm_prepare_memory_fault_exit; api.rst 7.34 KVM_CAP_MEMORY_FAULT_INFO", \
	  .ledger = "G5" }

const struct kvmrc_rule kvmrc_rules[] = {
	/* ---- arm64, before KVM_RUN ---- */
	{ .name = "arm64.flags.clear-before-run", .arch = ARM64, .when = BEFORE_RUN,
	  .exit_reason = KVMRC_EXIT_ANY, .offset = L_FLAGS, .size = 2,
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_ZERO,
	  .since = "5.19", .source = "18f3976fdb5d arm.c kvm_arch_vcpu_ioctl_run: run->flags = 0",
	  .ledger = "A2" },

	/* ---- arm64 KVM_EXIT_DEBUG ---- */
	{ .name = "arm64.debug.hsr_high", .arch = ARM64, .when = RET_OK,
	  .exit_reason = KVM_EXIT_DEBUG, .offset = L_DEBUG_ARM64_HSR_HIGH, .size = 4,
	  .vouch = KVMRC_VOUCH_FLAG, .vouch_arg = KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID,
	  .action = KVMRC_ACT_ZERO,
	  .since = "5.19", .source = "18f3976fdb5d KVM: arm64: uapi: Add kvm_debug_exit_arch.hsr_high",
	  .ledger = "A1" },
	{ .name = "arm64.debug.far", .arch = ARM64, .when = RET_OK,
	  .exit_reason = KVM_EXIT_DEBUG, .offset = L_DEBUG_ARM64_FAR, .size = 8,
	  .vouch = KVMRC_VOUCH_ESR_EC, .vouch_at = L_U, .vouch_arg = KVMRC_ESR_EC_WATCHPT_LOW,
	  .action = KVMRC_ACT_ZERO,
	  .since = "3.16", .source = "handle_exit.c kvm_handle_guest_debug: far only for ESR_ELx_EC_WATCHPT_LOW",
	  .ledger = "A3" },

	/* ---- arm64 KVM_EXIT_FAIL_ENTRY ---- */
	/* KVM_RUN -1/EINVAL: vCPU in AArch32 on an asymmetric system (ARM_EXCEPTION_IL):
	 * only exit_reason is written. */
	{ .name = "arm64.fail_entry.reason.illegal", .arch = ARM64, .when = RET_EINVAL,
	  .exit_reason = KVM_EXIT_FAIL_ENTRY, .offset = L_FAIL_ENTRY_REASON, .size = 8,
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_ZERO,
	  .since = "5.10", .source = "22f553842b14; handle_exit.c handle_exit: case ARM_EXCEPTION_IL",
	  .ledger = "A4" },
	{ .name = "arm64.fail_entry.cpu.illegal", .arch = ARM64, .when = RET_EINVAL,
	  .exit_reason = KVM_EXIT_FAIL_ENTRY, .offset = L_FAIL_ENTRY_CPU, .size = 4,
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_ZERO,
	  .since = "5.10", .source = "22f553842b14; handle_exit.c handle_exit: case ARM_EXCEPTION_IL",
	  .ledger = "A4" },
	/* KVM_RUN 0: the PMU-mismatch path writes reason = CPU_UNSUPPORTED and cpu;
	 * ARM_EXCEPTION_HYP_GONE writes neither. */
	{ .name = "arm64.fail_entry.reason", .arch = ARM64, .when = RET_OK,
	  .exit_reason = KVM_EXIT_FAIL_ENTRY, .offset = L_FAIL_ENTRY_REASON, .size = 8,
	  .vouch = KVMRC_VOUCH_U64_EQ, .vouch_at = L_U, .vouch_arg = (uint32_t)KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED,
	  .action = KVMRC_ACT_ZERO,
	  .since = "5.18", .source = "arm.c kvm_vcpu_exit_request (PMU mismatch); handle_exit.c ARM_EXCEPTION_HYP_GONE",
	  .ledger = "A5" },
	{ .name = "arm64.fail_entry.cpu", .arch = ARM64, .when = RET_OK,
	  .exit_reason = KVM_EXIT_FAIL_ENTRY, .offset = L_FAIL_ENTRY_CPU, .size = 4,
	  .vouch = KVMRC_VOUCH_U64_EQ, .vouch_at = L_U, .vouch_arg = (uint32_t)KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED,
	  .action = KVMRC_ACT_ZERO,
	  .since = "5.18", .source = "arm.c kvm_vcpu_exit_request: fail_entry.cpu = smp_processor_id()",
	  .ledger = "A5" },

	/* ---- arm64 KVM_EXIT_INTERNAL_ERROR: handle_exit's default case writes
	 * exit_reason only, on every kernel. ---- */
	{ .name = "arm64.internal.suberror", .arch = ARM64, .when = RET_OK,
	  .exit_reason = KVM_EXIT_INTERNAL_ERROR, .offset = L_INTERNAL_SUBERROR, .size = 8,
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_ZERO,
	  .since = "never", .source = "handle_exit.c handle_exit: default: run->exit_reason = KVM_EXIT_INTERNAL_ERROR",
	  .ledger = "A6" },
	INTERNAL_DATA_TAIL(ARM64, "arm64"),

	/* ---- arm64 KVM_EXIT_SYSTEM_EVENT ---- */
	SYSTEM_EVENT_ROWS(ARM64, "arm64"),

	/* ---- arm64 KVM_EXIT_ARM_SEA (6.19): the kernel memsets arm_sea and
	 * fills gva only when ESR.FnV is clear, gpa only with GPA_VALID; the
	 * uapi calls them "unknown" otherwise, the library presents 0. ---- */
	{ .name = "arm64.arm_sea.gva", .arch = ARM64, .when = RET_OK,
	  .exit_reason = KVM_EXIT_ARM_SEA, .offset = L_ARM_SEA_GVA, .size = 8,
	  .vouch = KVMRC_VOUCH_U64_NONE, .vouch_at = L_ARM_SEA_ESR, .vouch_arg = KVMRC_ESR_FNV,
	  .action = KVMRC_ACT_ZERO,
	  .since = "6.19", .source = "mmu.c kvm_handle_guest_sea: gva = FAR only if !(esr & ESR_ELx_FnV)",
	  .ledger = "A9" },
	{ .name = "arm64.arm_sea.gpa", .arch = ARM64, .when = RET_OK,
	  .exit_reason = KVM_EXIT_ARM_SEA, .offset = L_ARM_SEA_GPA, .size = 8,
	  .vouch = KVMRC_VOUCH_U64_ANY, .vouch_at = L_ARM_SEA_FLAGS,
	  .vouch_arg = (uint32_t)KVMRC_EXIT_ARM_SEA_FLAG_GPA_VALID, .action = KVMRC_ACT_ZERO,
	  .since = "6.19", .source = "mmu.c kvm_handle_guest_sea: gpa only with KVM_EXIT_ARM_SEA_FLAG_GPA_VALID",
	  .ledger = "A9" },

	/* ---- x86_64 KVM_EXIT_DEBUG ---- */
	{ .name = "x86_64.debug.pad", .arch = X86, .when = RET_OK,
	  .exit_reason = KVM_EXIT_DEBUG, .offset = L_DEBUG_X86_PAD, .size = 4,
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_ZERO,
	  .since = "never", .source = "vmx.c handle_exception_nmi / svm.c db_interception: pad not written",
	  .ledger = "X1" },
	{ .name = "x86_64.debug.dr6", .arch = X86, .when = RET_OK,
	  .exit_reason = KVM_EXIT_DEBUG, .offset = L_DEBUG_X86_DR6, .size = 8,
	  .vouch = KVMRC_VOUCH_U32_EQ, .vouch_at = L_U, .vouch_arg = 1 /* DB_VECTOR */,
	  .action = KVMRC_ACT_ZERO,
	  .since = "2.6.26", .source = "vmx.c handle_exception_nmi: dr6/dr7 only in case DB_VECTOR, not BP_VECTOR",
	  .ledger = "X2" },
	/* after dr6: on #BP dr6 is zero by now, so dr7 follows */
	{ .name = "x86_64.debug.dr7", .arch = X86, .when = RET_OK,
	  .exit_reason = KVM_EXIT_DEBUG, .offset = L_DEBUG_X86_DR7, .size = 8,
	  .vouch = KVMRC_VOUCH_U64_ANY, .vouch_at = L_DEBUG_X86_DR6, .vouch_arg = 0xf /* DR6.B0-B3 */,
	  .action = KVMRC_ACT_ZERO,
	  .since = "2.6.26", .source = "x86.c kvm_vcpu_do_singlestep / kvm_vcpu_check_code_breakpoint write dr6, pc, exception only",
	  .ledger = "X3" },

	/* ---- x86_64 KVM_EXIT_FAIL_ENTRY: cpu since 5.9 (1aa561b1a4c0); no cap
	 * names it, KVM_CAP_X86_USER_SPACE_MSR (188, 5.10) dates the kernel ---- */
	{ .name = "x86_64.fail_entry.cpu", .arch = X86, .when = RET_OK,
	  .exit_reason = KVM_EXIT_FAIL_ENTRY, .offset = L_FAIL_ENTRY_CPU, .size = 4,
	  .vouch = KVMRC_VOUCH_CAP, .vouch_arg = KVM_CAP_X86_USER_SPACE_MSR,
	  .action = KVMRC_ACT_ZERO,
	  .since = "5.9", .source = "1aa561b1a4c0 kvm: x86: Add \"last CPU\" to some KVM_EXIT information",
	  .ledger = "X6" },

	/* ---- x86_64 KVM_EXIT_HYPERCALL (hypercall.ret, bytes 88..95, is an input) ---- */
	{ .name = "x86_64.hypercall.args3-5", .arch = X86, .when = RET_OK,
	  .exit_reason = KVM_EXIT_HYPERCALL, .offset = L_HYPERCALL_ARGS3, .size = 24,
	  .vouch = KVMRC_VOUCH_U64_NE, .vouch_at = L_U, .vouch_arg = 12 /* KVM_HC_MAP_GPA_RANGE */,
	  .action = KVMRC_ACT_ZERO,
	  .since = "5.14", .source = "x86.c kvm_emulate_hypercall: KVM_HC_MAP_GPA_RANGE fills nr, args[0..2]",
	  .ledger = "X4" },
	{ .name = "x86_64.hypercall.flags-high", .arch = X86, .when = RET_OK,
	  .exit_reason = KVM_EXIT_HYPERCALL, .offset = L_HYPERCALL_FLAGS_HIGH, .size = 4,
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_ZERO,
	  .since = "6.4", .source = "Redefine 'longmode' as a flag for KVM_EXIT_HYPERCALL: only bit 0 defined",
	  .ledger = "X5" },

	/* ---- x86_64 KVM_EXIT_INTERNAL_ERROR ---- */
	{ .name = "x86_64.internal.ndata-bound", .arch = X86, .when = RET_OK,
	  .exit_reason = KVM_EXIT_INTERNAL_ERROR, .offset = L_INTERNAL_NDATA, .size = 4,
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_CLAMP_U32, .action_arg = 16,
	  .since = "2.6.33", .source = "uapi kvm.h: __u64 data[16]",
	  .ledger = "G1" },
	INTERNAL_DATA_TAIL(X86, "x86_64"),

	/* ---- x86_64 KVM_EXIT_SYSTEM_EVENT (Hyper-V crash and reset, SEV-ES) ---- */
	SYSTEM_EVENT_ROWS(X86, "x86_64"),

	/* ---- x86_64 KVM_EXIT_MEMORY_FAULT ---- */
	MEMORY_FAULT_ROW(X86, "x86_64"),

	/* ---- riscv64 ---- */
	FLAGS_CLEAR_BEFORE_RUN(RISCV, "riscv64", "never",
			       "arch/riscv/kvm: no write of run->flags (6.1, 6.12)", "R1"),
	/* KVM_EXIT_SYSTEM_EVENT (SBI SRST) */
	SYSTEM_EVENT_ROWS(RISCV, "riscv64"),

	/* ---- s390x (exit union at 48) ---- */
	FLAGS_CLEAR_BEFORE_RUN(S390, "s390x", "never",
			       "arch/s390/kvm: no write of run->flags (6.1, 6.12)", "S1"),
	{ .name = "s390x.debug.pad", .arch = S390, .when = RET_OK,
	  .exit_reason = KVM_EXIT_DEBUG, .offset = LS_DEBUG_PAD, .size = 7,
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_ZERO,
	  .since = "never", .source = "guestdbg.c: only debug.arch.addr and type are written",
	  .ledger = "S2" },
	{ .name = "s390x.tsch.subchannel", .arch = S390, .when = RET_OK,
	  .exit_reason = KVM_EXIT_S390_TSCH, .offset = LS_TSCH_SUBCHANNEL, .size = 12,
	  .vouch = KVMRC_VOUCH_U8_NE, .vouch_at = LS_TSCH_DEQUEUED, .vouch_arg = 0,
	  .action = KVMRC_ACT_ZERO,
	  .since = "3.11", .source = "priv.c handle_tsch: subchannel fields only if (inti)",
	  .ledger = "S3" },
	{ .name = "s390x.stsi.reserved", .arch = S390, .when = RET_OK,
	  .exit_reason = KVM_EXIT_S390_STSI, .offset = LS_STSI_RESERVED, .size = 1,
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_ZERO,
	  .since = "never", .source = "priv.c handle_stsi: addr, ar, fc, sel1, sel2 written, reserved not",
	  .ledger = "S4" },
};

const unsigned int kvmrc_rule_count = sizeof(kvmrc_rules) / sizeof(kvmrc_rules[0]);

/* Capabilities some rule's vouch refers to; probed at KVM_CREATE_VM. */
const uint16_t kvmrc_rule_caps[] = {
	KVM_CAP_SYSTEM_EVENT_DATA,
	KVM_CAP_EXIT_HYPERCALL,
	KVM_CAP_X86_USER_SPACE_MSR,
	KVM_CAP_MEMORY_FAULT_INFO,
	0
};

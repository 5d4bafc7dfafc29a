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

#define RET_OK     KVMRC_WHEN_RET_OK
#define RET_EINVAL KVMRC_WHEN_RET_EINVAL
#define BEFORE_RUN KVMRC_WHEN_BEFORE_RUN

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
	  .vouch = KVMRC_VOUCH_ESR_EC, .vouch_arg = KVMRC_ESR_EC_WATCHPT_LOW,
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
	  .vouch = KVMRC_VOUCH_U64_EQ, .vouch_arg = (uint32_t)KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED,
	  .action = KVMRC_ACT_ZERO,
	  .since = "5.18", .source = "arm.c kvm_vcpu_exit_request (PMU mismatch); handle_exit.c ARM_EXCEPTION_HYP_GONE",
	  .ledger = "A5" },
	{ .name = "arm64.fail_entry.cpu", .arch = ARM64, .when = RET_OK,
	  .exit_reason = KVM_EXIT_FAIL_ENTRY, .offset = L_FAIL_ENTRY_CPU, .size = 4,
	  .vouch = KVMRC_VOUCH_U64_EQ, .vouch_arg = (uint32_t)KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED,
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

	/* ---- x86_64 KVM_EXIT_DEBUG: pad is never written ---- */
	{ .name = "x86_64.debug.pad", .arch = X86, .when = RET_OK,
	  .exit_reason = KVM_EXIT_DEBUG, .offset = L_DEBUG_X86_PAD, .size = 4,
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_ZERO,
	  .since = "never", .source = "vmx.c handle_exception_nmi / svm.c db_interception: pad not written",
	  .ledger = "X1" },

	/* ---- internal.ndata never beyond the 16-entry array ---- */
	{ .name = "x86_64.internal.ndata-bound", .arch = X86, .when = RET_OK,
	  .exit_reason = KVM_EXIT_INTERNAL_ERROR, .offset = L_INTERNAL_NDATA, .size = 4,
	  .vouch = KVMRC_VOUCH_NONE, .action = KVMRC_ACT_CLAMP_U32, .action_arg = 16,
	  .since = "2.6.33", .source = "uapi kvm.h: __u64 data[16]",
	  .ledger = "G1" },
};

const unsigned int kvmrc_rule_count = sizeof(kvmrc_rules) / sizeof(kvmrc_rules[0]);

/* Capabilities some rule's vouch refers to; probed at KVM_CREATE_VM. */
const uint16_t kvmrc_rule_caps[] = {
	KVM_CAP_SYSTEM_EVENT_DATA,
	KVM_CAP_EXIT_HYPERCALL,
	0
};

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rules.c - the rule table: what the scrub (scrub.h) cannot decide alone.
 * Bytes a kernel leaves unwritten are zeroed by the scrub whatever field
 * they belong to; the rows here cover values a kernel writes out of the
 * ABI's range (ndata > 16), values it writes stale (arm64 far of a
 * watchpoint before the fault info was captured for it), and output-only
 * header bytes outside the union (flags).  Each row names its ledger entry
 * in docs/abi-ledger.md, where the kernel source it rests on is quoted.
 * Offsets are checked against the uapi headers in abi-check.c.
 *
 * Rows for one (arch, exit reason) must stay contiguous: engine.c indexes them.
 */
#include <stdio.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "kver.h"
#include "layout.h"
#include "rules.h"

#define ARM64 KVMRUN_COMPAT_ARCH_ARM64
#define X86   KVMRUN_COMPAT_ARCH_X86_64

#define RISCV KVMRUN_COMPAT_ARCH_RISCV64
#define S390  KVMRUN_COMPAT_ARCH_S390X

#define RET_OK     KVMRC_WHEN_RET_OK
#define BEFORE_RUN KVMRC_WHEN_BEFORE_RUN

/* system_event.ndata never exceeds the array (uapi: __u64 data[16]). */
#define SYSTEM_EVENT_BOUND(arch_, an)                                                      \
	{ .name = an ".system_event.ndata-bound", .arch = arch_, .when = RET_OK,              \
	  .exit_reason = KVM_EXIT_SYSTEM_EVENT, .offset = L_SYSTEM_EVENT_NDATA, .size = 4,    \
	  .vouch = KVMRUN_COMPAT_VOUCH_NONE, .action = KVMRC_ACT_CLAMP_U32, .action_arg = 16,         \
	  .since = "5.18", .source = "uapi kvm.h: __u64 data[16]", .ledger = "G3" }

/* flags is output-only on arm64, riscv64 and s390x (nothing in their KVM
 * code reads run->flags); kernels that never write it keep the VMM's value. */
#define FLAGS_CLEAR_BEFORE_RUN(arch_, an, since_, src, row)                                \
	{ .name = an ".flags.clear-before-run", .arch = arch_, .when = BEFORE_RUN,            \
	  .exit_reason = KVMRC_EXIT_ANY, .offset = L_FLAGS, .size = 2,                        \
	  .vouch = KVMRUN_COMPAT_VOUCH_NONE, .action = KVMRC_ACT_ZERO,                                \
	  .since = since_, .source = src, .ledger = row }

const struct kvmrc_rule kvmrc_rules[] = {
	/* ---- arm64 ---- */
	FLAGS_CLEAR_BEFORE_RUN(ARM64, "arm64", "5.19",
			       "18f3976fdb5d arm.c kvm_arch_vcpu_ioctl_run: run->flags = 0", "A2"),
	/* far is written for watchpoints only; kernels before the fix write the
	 * fault address of the previous data abort there.  On arm64 an in-kernel
	 * MMIO access (vGIC, ioeventfd) also writes mmio.data (= far) during
	 * KVM_RUN: that is no part of a BRK or single-step exit either. */
	{ .name = "arm64.debug.far", .arch = ARM64, .when = RET_OK,
	  .exit_reason = KVM_EXIT_DEBUG, .offset = L_DEBUG_ARM64_FAR, .size = 8,
	  .vouch = KVMRUN_COMPAT_VOUCH_ESR_EC, .vouch_at = L_U, .vouch_arg = KVMRC_ESR_EC_WATCHPT_LOW,
	  .fixed_fact = KVMRC_FACT_ARM64_WATCHPT_FAR, .action = KVMRC_ACT_ZERO,
	  .since = "6.4 (6.1.33)",
	  .source = "handle_exit.c kvm_handle_guest_debug: far only for WATCHPT_LOW; 811154e234db "
		    "KVM: arm64: Populate fault info for watchpoint",
	  .ledger = "A3" },
	SYSTEM_EVENT_BOUND(ARM64, "arm64"),

	/* ---- x86_64 ---- */
	{ .name = "x86_64.internal.ndata-bound", .arch = X86, .when = RET_OK,
	  .exit_reason = KVM_EXIT_INTERNAL_ERROR, .offset = L_INTERNAL_NDATA, .size = 4,
	  .vouch = KVMRUN_COMPAT_VOUCH_NONE, .action = KVMRC_ACT_CLAMP_U32, .action_arg = 16,
	  .since = "2.6.33", .source = "uapi kvm.h: __u64 data[16]",
	  .ledger = "G1" },
	SYSTEM_EVENT_BOUND(X86, "x86_64"),

	/* ---- riscv64 ---- */
	FLAGS_CLEAR_BEFORE_RUN(RISCV, "riscv64", "never",
			       "arch/riscv/kvm: no write of run->flags (6.1, 6.12)", "R1"),
	SYSTEM_EVENT_BOUND(RISCV, "riscv64"),

	/* ---- s390x ---- */
	FLAGS_CLEAR_BEFORE_RUN(S390, "s390x", "never",
			       "arch/s390/kvm: no write of run->flags (6.1, 6.12)", "S1"),
};

const unsigned int kvmrc_rule_count = sizeof(kvmrc_rules) / sizeof(kvmrc_rules[0]);


/* The one description of each vouch kind (enum kvmrun_compat_vouch_kind). */
const char *kvmrc_vouch_text(const struct kvmrc_rule *r, char *buf, unsigned int len)
{
	switch ((enum kvmrun_compat_vouch_kind)r->vouch) {
	case KVMRUN_COMPAT_VOUCH_NONE:
		snprintf(buf, len, "nothing");
		break;
	case KVMRUN_COMPAT_VOUCH_ESR_EC:
		snprintf(buf, len, "EC of u32@%u == 0x%x", r->vouch_at, r->vouch_arg);
		break;
	default:
		snprintf(buf, len, "?");
	}
	return buf;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* matrix-cases-arm64.h - arm64 cases of tests/test-matrix.c (see there). */
#define A64_ALL "arm64-5.10 arm64-5.15 arm64-5.18 arm64-6.1 arm64-6.12 arm64-6.19"
#define MATRIX_MIN_RUNS 55
#define BRK_HSR 0xf2000000ull /* EC BRK64 << 26 | IL */

static const struct mcase cases[] = {
	{ "BRK after junk", A64_ALL, "debug ec=brk", POISON_UNION | POISON_FLAGS, 1, {
		{ "arm64.flags.clear-before-run", 0, 14, 2, ANYV, KV(5, 18), 0xa5a5, 0 },
		{ "A1 flag", 0, 14, 2, KV(5, 19), ANYV, KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID,
		  KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID },
		{ "A1 hsr", 0, 32, 4, ANYV, ANYV, BRK_HSR, BRK_HSR },
		{ "arm64.debug.hsr_high", 0, 36, 4, ANYV, KV(5, 18), P32, 0 },
		{ "arm64.debug.hsr_high", 0, 36, 4, KV(5, 19), ANYV, 0, 0 },
		{ "arm64.debug.far", 0, 40, 8, ANYV, ANYV, P64, 0 } } },
	{ "watchpoint", A64_ALL, "debug ec=watchpt far=0x1234 esr_high=0x7", POISON_UNION | POISON_FLAGS, 1, {
		/* from 6.4 / 6.1.33 the watched address; before, the previous
		 * abort's FAR (none here: 0), which the shim zeroes only when
		 * the kernel it runs on lacks the fix (KVMRUN_COMPAT_KERNEL) */
		{ "arm64.debug.far", 0, 40, 8, ANYV, KV(5, 18), 0, 0 },
		{ "arm64.debug.far", 0, 40, 8, KV(6, 1), ANYV, 0x1234, 0x1234 },
		{ "arm64.debug.hsr_high", 0, 36, 4, KV(5, 19), ANYV, 7, 7 } } },
	{ "AArch32 EL0 on an asymmetric system", A64_ALL, "aarch32_el0", POISON_UNION, 1, {
		{ "A4 errno", 0, OFF_ERRNO, 0, ANYV, ANYV, EINVAL, EINVAL },
		{ "arm64.fail_entry.reason.illegal", 0, 32, 8, ANYV, ANYV, P64, 0 },
		{ "arm64.fail_entry.cpu.illegal", 0, 40, 4, ANYV, ANYV, P32, 0 } } },
	{ "hypervisor gone", A64_ALL, "hyp_gone", POISON_UNION, 1, {
		{ "arm64.fail_entry.reason", 0, 32, 8, ANYV, ANYV, P64, 0 },
		{ "arm64.fail_entry.cpu", 0, 40, 4, ANYV, ANYV, P32, 0 } } },
	{ "PMU mismatch", "arm64-5.18 arm64-6.1 arm64-6.12 arm64-6.19", "pmu_mismatch cpu=2", POISON_UNION, 1, {
		{ "arm64.fail_entry.reason", 0, 32, 8, ANYV, ANYV, KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED,
		  KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED },
		{ "arm64.fail_entry.cpu", 0, 40, 4, ANYV, ANYV, 2, 2 } } },
	{ "unknown exception index", A64_ALL, "internal_error", POISON_UNION, 1, {
		{ "arm64.internal.suberror", 0, 32, 8, ANYV, ANYV, P64, 0 },
		{ "arm64.internal.data-beyond-ndata", 0, 40, 8, ANYV, ANYV, P64, 0 },
		{ "arm64.internal.data-beyond-ndata", 0, 160, 8, ANYV, ANYV, P64, 0 } } },
	{ "PSCI SYSTEM_RESET", A64_ALL, "system_event type=reset flags=0", POISON_UNION, 1, {
		{ "G3 type", 0, 32, 4, ANYV, ANYV, KVM_SYSTEM_EVENT_RESET, KVM_SYSTEM_EVENT_RESET },
		{ "arm64.system_event.ndata", 0, 36, 4, ANYV, KV(5, 17), 0, 0 },
		{ "arm64.system_event.ndata-bound", 0, 36, 4, KV(5, 18), ANYV, 1, 1 },
		{ "arm64.system_event.data-beyond-ndata", 0, 48, 8, ANYV, KV(5, 17), P64, 0 },
		{ "arm64.system_event.data-beyond-ndata", 0, 48, 8, KV(5, 18), ANYV, 0, 0 } } },
	{ "SEA to user", "arm64-6.19",
	  "sea gva=0x4000 gpa=0x8000 fnv=1 gpa_valid=0; sea gva=0x4000 gpa=0x8000 fnv=0 gpa_valid=1",
	  POISON_UNION, 2, {
		{ "A9 flags", 0, 32, 8, ANYV, ANYV, 0, 0 },
		{ "arm64.arm_sea.gva", 0, 48, 8, ANYV, ANYV, 0, 0 },
		{ "arm64.arm_sea.gpa", 0, 56, 8, ANYV, ANYV, 0, 0 },
		{ "A9 flags", 1, 32, 8, ANYV, ANYV, KVMRC_EXIT_ARM_SEA_FLAG_GPA_VALID, KVMRC_EXIT_ARM_SEA_FLAG_GPA_VALID },
		{ "arm64.arm_sea.gva", 1, 48, 8, ANYV, ANYV, 0x4000, 0x4000 },
		{ "arm64.arm_sea.gpa", 1, 56, 8, ANYV, ANYV, 0x8000, 0x8000 } } },
	{ "SMCCC filter: forwarded SMC", "arm64-6.12 arm64-6.19", "smccc fid=0xc6000000 smc=1", POISON_UNION, 1, {
		{ "A7 nr", 0, 32, 8, ANYV, ANYV, 0xc6000000, 0xc6000000 },
		{ "A7 args", 0, 80, 8, ANYV, ANYV, 0, 0 },
		{ "A7 ret", 0, 88, 8, ANYV, ANYV, 0, 0 },
		{ "A7 flags", 0, 96, 8, ANYV, ANYV, KVMRC_ARM64_HYPERCALL_EXIT_SMC, KVMRC_ARM64_HYPERCALL_EXIT_SMC } } },
	{ "data abort without ISV", A64_ALL, "nisv iss=0x93 addr=0x9000000", POISON_UNION, 1, {
		{ "A8 esr_iss", 0, 32, 8, ANYV, ANYV, 0x93, 0x93 },
		{ "A8 fault_ipa", 0, 40, 8, ANYV, ANYV, 0x9000000, 0x9000000 } } },
	{ "immediate_exit: EINTR", A64_ALL, "debug ec=brk", POISON_UNION | POISON_FLAGS | POISON_IMMEDIATE, 1, {
		{ "EINTR errno", 0, OFF_ERRNO, 0, ANYV, ANYV, EINTR, EINTR },
		{ "EINTR: flags output-only, cleared before KVM_RUN", 0, 14, 2, ANYV, ANYV, 0xa5a5, 0 },
		{ "EINTR: the kernel writes nothing; the VMM junk was scrubbed", 0, 36, 4, ANYV, ANYV, P32, 0 } } },
};

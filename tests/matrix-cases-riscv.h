/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* matrix-cases-riscv.h - riscv64 cases of tests/test-matrix.c (see there). */
#define MATRIX_MIN_RUNS 4
#define SBI_ERR_NOT_SUPPORTED_U64 0xfffffffffffffffeull

static const struct mcase cases[] = {
	{ "SBI SRST reset", "riscv64-6.1", "system_event type=reset flags=0", POISON_UNION | POISON_FLAGS, 1, {
		{ "riscv64.flags.clear-before-run", 0, 14, 2, ANYV, ANYV, 0xa5a5, 0 },
		{ "G3 type", 0, 32, 4, ANYV, ANYV, KVM_SYSTEM_EVENT_RESET, KVM_SYSTEM_EVENT_RESET },
		{ "riscv64.system_event.ndata", 0, 36, 4, ANYV, ANYV, 1, 1 },
		{ "riscv64.system_event.ndata-bound", 0, 36, 4, ANYV, ANYV, 1, 1 },
		{ "riscv64.system_event.data-beyond-ndata", 0, 48, 8, ANYV, ANYV, 0, 0 } } },
	{ "SBI call forwarded", "riscv64-6.1", "sbi ext=0x10 fid=3 a0=1", POISON_UNION | POISON_FLAGS, 1, {
		{ "riscv64.flags.clear-before-run", 0, 14, 2, ANYV, ANYV, 0xa5a5, 0 },
		{ "R2 extension_id", 0, 32, 8, ANYV, ANYV, 0x10, 0x10 },
		{ "R2 args[0]", 0, 48, 8, ANYV, ANYV, 1, 1 },
		{ "R2 args[3]", 0, 72, 8, ANYV, ANYV, 0, 0 },
		/* before 6.12 the forward path returns the guest's a0/a1 */
		{ "R2 ret[0] (input)", 0, 96, 8, ANYV, KV(6, 11), 1, 1 },
		{ "R2 ret[0] (input)", 0, 96, 8, KV(6, 12), ANYV, SBI_ERR_NOT_SUPPORTED_U64, SBI_ERR_NOT_SUPPORTED_U64 },
		{ "R2 ret[1] (input)", 0, 104, 8, ANYV, ANYV, 0, 0 } } },
	{ "CSR access", "riscv64-6.1", "csr csr=0x10 data=5 mask=1", POISON_UNION, 1, {
		{ "R3 csr_num", 0, 32, 8, ANYV, ANYV, 0x10, 0x10 },
		{ "R3 new_value", 0, 40, 8, ANYV, ANYV, 5, 5 },
		{ "R3 write_mask", 0, 48, 8, ANYV, ANYV, 1, 1 },
		{ "R3 ret_value (input)", 0, 56, 8, ANYV, ANYV, 0, 0 } } },
	{ "immediate_exit: EINTR", "riscv64-6.1", "sbi ext=0x10", POISON_UNION | POISON_FLAGS | POISON_IMMEDIATE, 1, {
		{ "EINTR errno", 0, OFF_ERRNO, 0, ANYV, ANYV, EINTR, EINTR },
		{ "EINTR: flags output-only, cleared before KVM_RUN", 0, 14, 2, ANYV, ANYV, 0xa5a5, 0 },
		{ "EINTR: the kernel writes nothing; the VMM junk was scrubbed", 0, 96, 8, ANYV, ANYV, P64, 0 } } },
};

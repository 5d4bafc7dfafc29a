/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* matrix-cases-x86.h - x86_64 cases of tests/test-matrix.c (see there).
 * Offsets are kvm_run bytes; values "raw" (the kernel's) and "abi" (the
 * ledger's meaning, what a VMM sees through the shim). */
#define X86_ALL "x86_64-5.4 x86_64-5.10 x86_64-5.15 x86_64-6.1 x86_64-6.6 x86_64-6.12"
#define MATRIX_MIN_RUNS 59

static const struct mcase cases[] = {
	{ "int3 #BP", X86_ALL, "debug_bp pc=0x1000", POISON_UNION | POISON_FLAGS, 1, {
		{ "exit_reason", 0, 8, 4, ANYV, ANYV, KVM_EXIT_DEBUG, KVM_EXIT_DEBUG },
		{ "X7", 0, 14, 2, ANYV, ANYV, 0, 0 }, /* x86 writes the whole flags word */
		{ "x86_64.debug.pad", 0, 36, 4, ANYV, ANYV, P32, 0 },
		{ "X2", 0, 40, 8, ANYV, ANYV, 0x1000, 0x1000 },
		{ "x86_64.debug.dr6", 0, 48, 8, ANYV, ANYV, P64, 0 },
		{ "x86_64.debug.dr7", 0, 56, 8, ANYV, ANYV, P64, 0 } } },
	{ "intercepted #DB, hw breakpoint", X86_ALL, "debug_db pc=0x1000 dr6=0x1 dr7=0x403",
	  POISON_UNION, 1, {
		{ "x86_64.debug.pad", 0, 36, 4, ANYV, ANYV, P32, 0 },
		{ "x86_64.debug.dr6", 0, 48, 8, ANYV, ANYV, 0xffff0ff1, 0xffff0ff1 },
		{ "x86_64.debug.dr7", 0, 56, 8, ANYV, ANYV, 0x403, 0x403 } } },
	{ "emulator single-step", X86_ALL, "singlestep pc=0x1002", POISON_UNION, 1, {
		{ "x86_64.debug.dr6", 0, 48, 8, ANYV, ANYV, 0xffff4ff0, 0xffff4ff0 },
		{ "x86_64.debug.dr7", 0, 56, 8, ANYV, ANYV, P64, 0 },
		{ "X2", 0, 40, 8, ANYV, ANYV, 0x1002, 0x1002 } } },
	{ "KVM_HC_MAP_GPA_RANGE", "x86_64-5.15 x86_64-6.1 x86_64-6.6 x86_64-6.12",
	  "hypercall a0=0x3000 a1=1 a2=0", POISON_UNION, 1, {
		{ "X4", 0, 32, 8, ANYV, ANYV, 12, 12 },
		{ "x86_64.hypercall.args3-5", 0, 64, 8, ANYV, ANYV, P64, 0 },
		{ "x86_64.hypercall.args3-5", 0, 80, 8, ANYV, ANYV, P64, 0 },
		{ "I2 ret: an input the exit does not write, the VMM's junk is scrubbed", 0, 88, 8, ANYV, ANYV, P64, 0 },
		{ "X5 longmode", 0, 96, 4, ANYV, ANYV, 1, 1 },
		{ "x86_64.hypercall.flags-high", 0, 100, 4, ANYV, KV(6, 3), P32, 0 },
		{ "x86_64.hypercall.flags-high", 0, 100, 4, KV(6, 4), ANYV, 0, 0 } } },
	{ "internal error, event delivery", X86_ALL, "internal_error reason=48", POISON_UNION, 1, {
		{ "G1 suberror", 0, 32, 4, ANYV, ANYV, KVM_INTERNAL_ERROR_DELIVERY_EV, KVM_INTERNAL_ERROR_DELIVERY_EV },
		{ "x86_64.internal.ndata-bound", 0, 36, 4, ANYV, KV(5, 8), 3, 3 },
		{ "x86_64.internal.ndata-bound", 0, 36, 4, KV(5, 9), ANYV, 4, 4 },
		{ "G2 data[1]", 0, 48, 8, ANYV, ANYV, 48, 48 },
		{ "x86_64.internal.data-beyond-ndata", 0, 64, 8, ANYV, KV(5, 8), P64, 0 },
		{ "x86_64.internal.data-beyond-ndata", 0, 64, 8, KV(5, 9), ANYV, 0, 0 },
		{ "x86_64.internal.data-beyond-ndata", 0, 72, 8, ANYV, ANYV, P64, 0 },
		{ "x86_64.internal.data-beyond-ndata", 0, 160, 8, ANYV, ANYV, P64, 0 } } },
	{ "Hyper-V crash", X86_ALL, "hyperv_crash", POISON_UNION, 1, {
		{ "G3 type", 0, 32, 4, ANYV, ANYV, KVM_SYSTEM_EVENT_CRASH, KVM_SYSTEM_EVENT_CRASH },
		{ "x86_64.system_event.ndata", 0, 36, 4, ANYV, KV(5, 17), P32, 0 },
		{ "x86_64.system_event.ndata-bound", 0, 36, 4, KV(5, 18), ANYV, 0, 0 },
		{ "x86_64.system_event.data-beyond-ndata", 0, 40, 8, ANYV, ANYV, P64, 0 },
		{ "x86_64.system_event.data-beyond-ndata", 0, 160, 8, ANYV, ANYV, P64, 0 } } },
	{ "VM entry failure", X86_ALL, "fail_entry reason=0x80000021 cpu=3", POISON_UNION, 1, {
		{ "X6 reason", 0, 32, 8, ANYV, ANYV, 0x80000021, 0x80000021 },
		{ "x86_64.fail_entry.cpu", 0, 40, 4, ANYV, KV(5, 8), P32, 0 },
		{ "x86_64.fail_entry.cpu", 0, 40, 4, KV(5, 9), ANYV, 3, 3 } } },
	{ "private memory fault", "x86_64-6.12", "memory_fault gpa=0x100000 bytes=4096 private=1",
	  POISON_UNION, 1, {
		{ "G5 errno", 0, OFF_ERRNO, 0, ANYV, ANYV, EFAULT, EFAULT },
		{ "G5 exit_reason", 0, 8, 4, ANYV, ANYV, KVM_EXIT_MEMORY_FAULT, KVM_EXIT_MEMORY_FAULT },
		{ "x86_64.memory_fault.fields", 0, 32, 8, ANYV, ANYV, KVMRC_MEMORY_EXIT_FLAG_PRIVATE,
		  KVMRC_MEMORY_EXIT_FLAG_PRIVATE },
		{ "x86_64.memory_fault.fields", 0, 40, 8, ANYV, ANYV, 0x100000, 0x100000 },
		{ "x86_64.memory_fault.fields", 0, 48, 8, ANYV, ANYV, 4096, 4096 } } },
	{ "EFAULT before KVM_CAP_MEMORY_FAULT_INFO", "x86_64-5.4 x86_64-5.10 x86_64-5.15 x86_64-6.1 x86_64-6.6",
	  "efault", POISON_UNION | POISON_EXIT39, 1, {
		{ "G5 errno", 0, OFF_ERRNO, 0, ANYV, ANYV, EFAULT, EFAULT },
		{ "G5 exit_reason (stale)", 0, 8, 4, ANYV, ANYV, KVM_EXIT_MEMORY_FAULT, KVM_EXIT_MEMORY_FAULT },
		{ "x86_64.memory_fault.fields", 0, 32, 8, ANYV, ANYV, P64, 0 },
		{ "x86_64.memory_fault.fields", 0, 40, 8, ANYV, ANYV, P64, 0 },
		{ "x86_64.memory_fault.fields", 0, 48, 8, ANYV, ANYV, P64, 0 } } },
	{ "unannotated EFAULT on 6.12", "x86_64-6.12", "efault", POISON_UNION | POISON_EXIT39, 1, {
		{ "G5 errno", 0, OFF_ERRNO, 0, ANYV, ANYV, EFAULT, EFAULT },
		{ "G5 exit_reason reset by vcpu_run", 0, 8, 4, ANYV, ANYV, KVM_EXIT_UNKNOWN, KVM_EXIT_UNKNOWN },
		{ "G5 not a memory fault: nothing written, the scrub leaves 0", 0, 40, 8, ANYV, ANYV, P64, 0 } } },
	{ "port I/O", X86_ALL, "io port=0x3f8 dir=out size=1 count=1 data=0x41", POISON_UNION, 1, {
		{ "X9 size", 0, 33, 1, ANYV, ANYV, 1, 1 },
		{ "X9 count", 0, 36, 4, ANYV, ANYV, 1, 1 },
		{ "X9 data_offset", 0, 40, 8, ANYV, ANYV, 4096, 4096 } } },
	{ "immediate_exit: EINTR", X86_ALL, "debug_bp pc=0x1000", POISON_UNION | POISON_IMMEDIATE, 1, {
		{ "EINTR errno", 0, OFF_ERRNO, 0, ANYV, ANYV, EINTR, EINTR },
		{ "EINTR: the kernel writes nothing; the VMM junk was scrubbed", 0, 36, 4, ANYV, ANYV, P32, 0 },
		{ "EINTR: the kernel writes nothing; the VMM junk was scrubbed", 0, 56, 8, ANYV, ANYV, P64, 0 } } },
};

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fields.c - the field table: every exit struct's fields by name, per
 * architecture, with their bytes in kvm_run (layout.h, proven against the
 * uapi in abi-check.c).  Rows of one (arch, exit) are listed in the order
 * of the uapi struct.  Union members chosen by a selector (hyperv.type,
 * xen.type, tdx.nr) have rows of their own (FS, FO): kvmrc_field_selected
 * says which apply to an exit's bytes.
 */
#include <linux/kvm.h>
#include "kvmrun-compat.h"
#include "kvmrun-compat-uapi.h"
#include "fields.h"
#include "layout.h"

#define ALL   KVMRC_FIELD_ALL_LP64
#define X86   KVMRUN_COMPAT_ARCH_X86_64
#define ARM64 KVMRUN_COMPAT_ARCH_ARM64
#define RISCV KVMRUN_COMPAT_ARCH_RISCV64

#define F(a, e, n, o, s, k)       { .arch = a, .exit_reason = e, .name = n, .off = o, .size = s, .kind = KVMRC_FK_##k }
#define FN(a, e, n, o, at_)       { .arch = a, .exit_reason = e, .name = n, .off = o, .size = 128, .kind = KVMRC_FK_NDATA, .at = at_ }
/* a field of the union member whose selector (u32 / u64 at sa) reads v */
#define FS(a, e, n, o, s, k, sa, ss, v)                                                                       \
	{ .arch = a, .exit_reason = e, .name = n, .off = o, .size = s, .kind = KVMRC_FK_##k, .sel = KVMRC_SEL_EQ, \
	  .sel_at = sa, .sel_size = ss, .sel_value = v }
/* a field of the member used when the selector reads none of the FS values */
#define FO(a, e, n, o, s, k, sa, ss)                                                                          \
	{ .arch = a, .exit_reason = e, .name = n, .off = o, .size = s, .kind = KVMRC_FK_##k, .sel = KVMRC_SEL_OTHER, \
	  .sel_at = sa, .sel_size = ss }
#define HV(n, o, s, t) FS(X86, KVM_EXIT_HYPERV, n, o, s, HEX, L_HYPERV_TYPE, 4, t)
#define TDX(n, o, leaf) FS(X86, KVM_EXIT_TDX, n, o, 8, HEX, L_TDX_NR, 8, leaf)
#define S390 KVMRUN_COMPAT_ARCH_S390X

const struct kvmrc_field kvmrc_fields[] = {
	/* header bytes that are outputs of every exit */
	F(ARM64, KVMRC_FIELD_EXIT_ANY, "flags", L_FLAGS, 2, ARM64_FLAGS),
	F(RISCV, KVMRC_FIELD_EXIT_ANY, "flags", L_FLAGS, 2, HEX),
	F(X86, KVMRC_FIELD_EXIT_ANY, "flags", L_FLAGS, 2, HEX),   /* KVM_RUN_X86_SMM, _BUS_LOCK, _GUEST_MODE */

	F(ALL, KVM_EXIT_MMIO, "phys_addr", L_MMIO_PHYS_ADDR, 8, HEX),
	F(ALL, KVM_EXIT_MMIO, "data", L_MMIO_DATA, 8, HEX),
	F(ALL, KVM_EXIT_MMIO, "len", L_MMIO_LEN, 4, DEC),
	F(ALL, KVM_EXIT_MMIO, "is_write", L_MMIO_IS_WRITE, 1, WRITE),

	F(ALL, KVM_EXIT_SYSTEM_EVENT, "type", L_SYSTEM_EVENT_TYPE, 4, SYSEV),
	F(ALL, KVM_EXIT_SYSTEM_EVENT, "ndata", L_SYSTEM_EVENT_NDATA, 4, DEC),
	FN(ALL, KVM_EXIT_SYSTEM_EVENT, "data", L_SYSTEM_EVENT_DATA, L_SYSTEM_EVENT_NDATA),

	F(ALL, KVM_EXIT_FAIL_ENTRY, "hardware_entry_failure_reason", L_FAIL_ENTRY_REASON, 8, HEX),
	F(ALL, KVM_EXIT_FAIL_ENTRY, "cpu", L_FAIL_ENTRY_CPU, 4, DEC),

	F(ALL, KVM_EXIT_HYPERCALL, "nr", L_HYPERCALL_NR, 8, HEX),
	F(ALL, KVM_EXIT_HYPERCALL, "args[0]", L_HYPERCALL_ARGS, 8, HEX),
	F(ALL, KVM_EXIT_HYPERCALL, "args[1]", L_HYPERCALL_ARGS + 8, 8, HEX),
	F(ALL, KVM_EXIT_HYPERCALL, "args[2]", L_HYPERCALL_ARGS + 16, 8, HEX),
	F(ALL, KVM_EXIT_HYPERCALL, "args[3]", L_HYPERCALL_ARGS3, 8, HEX),
	F(ALL, KVM_EXIT_HYPERCALL, "args[4]", L_HYPERCALL_ARGS3 + 8, 8, HEX),
	F(ALL, KVM_EXIT_HYPERCALL, "args[5]", L_HYPERCALL_ARGS3 + 16, 8, HEX),
	F(ALL, KVM_EXIT_HYPERCALL, "ret", L_HYPERCALL_RET, 8, HEX),
	F(ALL, KVM_EXIT_HYPERCALL, "flags", L_HYPERCALL_FLAGS, 8, HEX),

	F(ALL, KVM_EXIT_INTERNAL_ERROR, "suberror", L_INTERNAL_SUBERROR, 4, DEC),
	F(ALL, KVM_EXIT_INTERNAL_ERROR, "ndata", L_INTERNAL_NDATA, 4, DEC),
	FN(ALL, KVM_EXIT_INTERNAL_ERROR, "data", L_INTERNAL_DATA, L_INTERNAL_NDATA),

	F(ALL, KVM_EXIT_MEMORY_FAULT, "flags", L_MEMORY_FAULT, 8, HEX),
	F(ALL, KVM_EXIT_MEMORY_FAULT, "gpa", L_MEMORY_FAULT_GPA, 8, HEX),
	F(ALL, KVM_EXIT_MEMORY_FAULT, "size", L_MEMORY_FAULT_SZ, 8, HEX),

	/* x86_64 */
	F(X86, KVM_EXIT_UNKNOWN, "hardware_exit_reason", L_HW_REASON, 8, HEX),
	F(X86, KVM_EXIT_EXCEPTION, "exception", L_EXCEPTION_NR, 4, X86_VECTOR),
	F(X86, KVM_EXIT_EXCEPTION, "error_code", L_EXCEPTION_ERROR_CODE, 4, HEX),
	F(X86, KVM_EXIT_IO, "direction", L_IO_DIRECTION, 1, IO_DIR),
	F(X86, KVM_EXIT_IO, "size", L_IO_SIZE, 1, DEC),
	F(X86, KVM_EXIT_IO, "port", L_IO_PORT, 2, HEX),
	F(X86, KVM_EXIT_IO, "count", L_IO_COUNT, 4, DEC),
	F(X86, KVM_EXIT_IO, "data_offset", L_IO_DATA_OFFSET, 8, HEX),
	F(X86, KVM_EXIT_DEBUG, "exception", L_DEBUG_X86_EXCEPTION, 4, X86_VECTOR),
	F(X86, KVM_EXIT_DEBUG, "pad", L_DEBUG_X86_PAD, 4, HEX),
	F(X86, KVM_EXIT_DEBUG, "pc", L_DEBUG_X86_PC, 8, HEX),
	F(X86, KVM_EXIT_DEBUG, "dr6", L_DEBUG_X86_DR6, 8, HEX),
	F(X86, KVM_EXIT_DEBUG, "dr7", L_DEBUG_X86_DR7, 8, HEX),
	F(X86, KVM_EXIT_TPR_ACCESS, "rip", L_TPR_RIP, 8, HEX),
	F(X86, KVM_EXIT_TPR_ACCESS, "is_write", L_TPR_IS_WRITE, 4, WRITE),
	F(X86, KVM_EXIT_IOAPIC_EOI, "vector", L_EOI_VECTOR, 1, DEC),
	F(X86, KVM_EXIT_X86_RDMSR, "error", L_MSR_ERROR, 1, DEC),
	F(X86, KVM_EXIT_X86_RDMSR, "reason", L_MSR_REASON, 4, HEX),
	F(X86, KVM_EXIT_X86_RDMSR, "index", L_MSR_INDEX, 4, HEX),
	F(X86, KVM_EXIT_X86_RDMSR, "data", L_MSR_DATA, 8, HEX),
	F(X86, KVM_EXIT_X86_WRMSR, "error", L_MSR_ERROR, 1, DEC),
	F(X86, KVM_EXIT_X86_WRMSR, "reason", L_MSR_REASON, 4, HEX),
	F(X86, KVM_EXIT_X86_WRMSR, "index", L_MSR_INDEX, 4, HEX),
	F(X86, KVM_EXIT_X86_WRMSR, "data", L_MSR_DATA, 8, HEX),
	F(X86, KVM_EXIT_NOTIFY, "flags", L_NOTIFY_FLAGS, 4, HEX),
	F(X86, KVM_EXIT_HYPERV, "type", L_HYPERV_TYPE, 4, HYPERV_TYPE),
	HV("synic.msr", L_HYPERV_SYNIC_MSR, 4, KVM_EXIT_HYPERV_SYNIC),
	HV("synic.control", L_HYPERV_SYNIC_CONTROL, 8, KVM_EXIT_HYPERV_SYNIC),
	HV("synic.evt_page", L_HYPERV_SYNIC_EVT_PAGE, 8, KVM_EXIT_HYPERV_SYNIC),
	HV("synic.msg_page", L_HYPERV_SYNIC_MSG_PAGE, 8, KVM_EXIT_HYPERV_SYNIC),
	HV("hcall.input", L_HYPERV_HCALL_INPUT, 8, KVM_EXIT_HYPERV_HCALL),
	HV("hcall.result", L_HYPERV_HCALL_RESULT, 8, KVM_EXIT_HYPERV_HCALL),
	HV("hcall.params[0]", L_HYPERV_HCALL_PARAMS, 8, KVM_EXIT_HYPERV_HCALL),
	HV("hcall.params[1]", L_HYPERV_HCALL_PARAMS + 8, 8, KVM_EXIT_HYPERV_HCALL),
	HV("syndbg.msr", L_HYPERV_SYNDBG_MSR, 4, KVM_EXIT_HYPERV_SYNDBG),
	HV("syndbg.control", L_HYPERV_SYNDBG_CONTROL, 8, KVM_EXIT_HYPERV_SYNDBG),
	HV("syndbg.status", L_HYPERV_SYNDBG_STATUS, 8, KVM_EXIT_HYPERV_SYNDBG),
	HV("syndbg.send_page", L_HYPERV_SYNDBG_SEND, 8, KVM_EXIT_HYPERV_SYNDBG),
	HV("syndbg.recv_page", L_HYPERV_SYNDBG_RECV, 8, KVM_EXIT_HYPERV_SYNDBG),
	HV("syndbg.pending_page", L_HYPERV_SYNDBG_PENDING, 8, KVM_EXIT_HYPERV_SYNDBG),
	F(X86, KVM_EXIT_XEN, "type", L_XEN_TYPE, 4, XEN_TYPE),
	FS(X86, KVM_EXIT_XEN, "hcall.longmode", L_XEN_HCALL_LONGMODE, 4, DEC, L_XEN_TYPE, 4, KVM_EXIT_XEN_HCALL),
	FS(X86, KVM_EXIT_XEN, "hcall.cpl", L_XEN_HCALL_CPL, 4, DEC, L_XEN_TYPE, 4, KVM_EXIT_XEN_HCALL),
	FS(X86, KVM_EXIT_XEN, "hcall.input", L_XEN_HCALL_INPUT, 8, HEX, L_XEN_TYPE, 4, KVM_EXIT_XEN_HCALL),
	FS(X86, KVM_EXIT_XEN, "hcall.result", L_XEN_HCALL_RESULT, 8, HEX, L_XEN_TYPE, 4, KVM_EXIT_XEN_HCALL),
	FS(X86, KVM_EXIT_XEN, "hcall.params[0]", L_XEN_HCALL_PARAMS, 8, HEX, L_XEN_TYPE, 4, KVM_EXIT_XEN_HCALL),
	FS(X86, KVM_EXIT_XEN, "hcall.params[1]", L_XEN_HCALL_PARAMS + 8, 8, HEX, L_XEN_TYPE, 4, KVM_EXIT_XEN_HCALL),
	FS(X86, KVM_EXIT_XEN, "hcall.params[2]", L_XEN_HCALL_PARAMS + 16, 8, HEX, L_XEN_TYPE, 4, KVM_EXIT_XEN_HCALL),
	FS(X86, KVM_EXIT_XEN, "hcall.params[3]", L_XEN_HCALL_PARAMS + 24, 8, HEX, L_XEN_TYPE, 4, KVM_EXIT_XEN_HCALL),
	FS(X86, KVM_EXIT_XEN, "hcall.params[4]", L_XEN_HCALL_PARAMS + 32, 8, HEX, L_XEN_TYPE, 4, KVM_EXIT_XEN_HCALL),
	FS(X86, KVM_EXIT_XEN, "hcall.params[5]", L_XEN_HCALL_PARAMS + 40, 8, HEX, L_XEN_TYPE, 4, KVM_EXIT_XEN_HCALL),
	F(X86, KVM_EXIT_TDX, "flags", L_TDX_FLAGS, 8, HEX),
	F(X86, KVM_EXIT_TDX, "nr", L_TDX_NR, 8, TDX_NR),
	F(X86, KVM_EXIT_TDX, "ret", L_TDX_RET, 8, HEX),      /* first in every member */
	TDX("get_quote.gpa", L_TDX_GET_QUOTE_GPA, KVMRC_TDVMCALL_GET_QUOTE),
	TDX("get_quote.size", L_TDX_GET_QUOTE_SIZE, KVMRC_TDVMCALL_GET_QUOTE),
	TDX("get_tdvmcall_info.leaf", L_TDX_INFO_LEAF, KVMRC_TDVMCALL_GET_TD_VM_CALL_INFO),
	TDX("get_tdvmcall_info.r11", L_TDX_INFO_R11, KVMRC_TDVMCALL_GET_TD_VM_CALL_INFO),
	TDX("get_tdvmcall_info.r12", L_TDX_INFO_R11 + 8, KVMRC_TDVMCALL_GET_TD_VM_CALL_INFO),
	TDX("get_tdvmcall_info.r13", L_TDX_INFO_R11 + 16, KVMRC_TDVMCALL_GET_TD_VM_CALL_INFO),
	TDX("get_tdvmcall_info.r14", L_TDX_INFO_R11 + 24, KVMRC_TDVMCALL_GET_TD_VM_CALL_INFO),
	TDX("setup_event_notify.vector", L_TDX_NOTIFY_VECTOR, KVMRC_TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT),
	FO(X86, KVM_EXIT_TDX, "unknown.data[0]", L_TDX_UNKNOWN_DATA, 8, HEX, L_TDX_NR, 8),
	FO(X86, KVM_EXIT_TDX, "unknown.data[1]", L_TDX_UNKNOWN_DATA + 8, 8, HEX, L_TDX_NR, 8),
	FO(X86, KVM_EXIT_TDX, "unknown.data[2]", L_TDX_UNKNOWN_DATA + 16, 8, HEX, L_TDX_NR, 8),
	FO(X86, KVM_EXIT_TDX, "unknown.data[3]", L_TDX_UNKNOWN_DATA + 24, 8, HEX, L_TDX_NR, 8),
	FO(X86, KVM_EXIT_TDX, "unknown.data[4]", L_TDX_UNKNOWN_DATA + 32, 8, HEX, L_TDX_NR, 8),
	F(X86, KVM_EXIT_SNP_REQ_CERTS, "gpa", L_SNP_CERTS_GPA, 8, HEX),
	F(X86, KVM_EXIT_SNP_REQ_CERTS, "npages", L_SNP_CERTS_NPAGES, 8, DEC),
	F(X86, KVM_EXIT_SNP_REQ_CERTS, "ret", L_SNP_CERTS_RET, 8, HEX),

	/* arm64 */
	F(ARM64, KVM_EXIT_DEBUG, "hsr", L_DEBUG_ARM64_HSR, 4, ESR),
	F(ARM64, KVM_EXIT_DEBUG, "hsr_high", L_DEBUG_ARM64_HSR_HIGH, 4, HEX),
	F(ARM64, KVM_EXIT_DEBUG, "far", L_DEBUG_ARM64_FAR, 8, HEX),
	F(ARM64, KVM_EXIT_ARM_NISV, "esr_iss", L_ARM_NISV_ESR_ISS, 8, HEX),
	F(ARM64, KVM_EXIT_ARM_NISV, "fault_ipa", L_ARM_NISV_FAULT_IPA, 8, HEX),
	F(ARM64, KVM_EXIT_ARM_LDST64B, "esr_iss", L_ARM_NISV_ESR_ISS, 8, HEX),  /* the arm_nisv struct (A12) */
	F(ARM64, KVM_EXIT_ARM_LDST64B, "fault_ipa", L_ARM_NISV_FAULT_IPA, 8, HEX),
	F(ARM64, KVM_EXIT_ARM_SEA, "flags", L_ARM_SEA_FLAGS, 8, HEX),
	F(ARM64, KVM_EXIT_ARM_SEA, "esr", L_ARM_SEA_ESR, 8, ESR),
	F(ARM64, KVM_EXIT_ARM_SEA, "gva", L_ARM_SEA_GVA, 8, HEX),
	F(ARM64, KVM_EXIT_ARM_SEA, "gpa", L_ARM_SEA_GPA, 8, HEX),

	/* riscv64 */
	F(RISCV, KVM_EXIT_RISCV_SBI, "extension_id", L_RISCV_SBI_EXT, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_SBI, "function_id", L_RISCV_SBI_FID, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_SBI, "args[0]", L_RISCV_SBI_ARGS, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_SBI, "args[1]", L_RISCV_SBI_ARGS + 8, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_SBI, "args[2]", L_RISCV_SBI_ARGS + 16, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_SBI, "args[3]", L_RISCV_SBI_ARGS + 24, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_SBI, "args[4]", L_RISCV_SBI_ARGS + 32, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_SBI, "args[5]", L_RISCV_SBI_ARGS + 40, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_SBI, "ret[0]", L_RISCV_SBI_RET, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_SBI, "ret[1]", L_RISCV_SBI_RET + 8, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_CSR, "csr_num", L_RISCV_CSR_NUM, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_CSR, "new_value", L_RISCV_CSR_NEW, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_CSR, "write_mask", L_RISCV_CSR_MASK, 8, HEX),
	F(RISCV, KVM_EXIT_RISCV_CSR, "ret_value", L_RISCV_CSR_RET, 8, HEX),

	/* s390x: the union at 48; psw_mask and psw_addr in the header */
	F(S390, KVMRC_FIELD_EXIT_ANY, "flags", L_FLAGS, 2, HEX),
	F(S390, KVMRC_FIELD_EXIT_ANY, "psw_mask", KVMRC_S390_PSW_MASK_OFFSET, 8, HEX),
	F(S390, KVMRC_FIELD_EXIT_ANY, "psw_addr", KVMRC_S390_PSW_ADDR_OFFSET, 8, HEX),
	F(S390, KVM_EXIT_DEBUG, "addr", LS_DEBUG_ADDR, 8, HEX),
	F(S390, KVM_EXIT_DEBUG, "type", LS_DEBUG_TYPE, 1, DEC),
	F(S390, KVM_EXIT_S390_SIEIC, "icptcode", LS_SIEIC_ICPTCODE, 1, HEX),
	F(S390, KVM_EXIT_S390_SIEIC, "ipa", LS_SIEIC_IPA, 2, HEX),
	F(S390, KVM_EXIT_S390_SIEIC, "ipb", LS_SIEIC_IPB, 4, HEX),
	F(S390, KVM_EXIT_S390_RESET, "s390_reset_flags", LS_RESET_FLAGS, 8, HEX),
	F(S390, KVM_EXIT_S390_UCONTROL, "trans_exc_code", LS_UCONTROL_TRANS_EXC, 8, HEX),
	F(S390, KVM_EXIT_S390_UCONTROL, "pgm_code", LS_UCONTROL_PGM_CODE, 4, HEX),
	F(S390, KVM_EXIT_S390_TSCH, "subchannel_id", LS_TSCH_SUBCHANNEL, 2, HEX),
	F(S390, KVM_EXIT_S390_TSCH, "subchannel_nr", LS_TSCH_SUBCHANNEL_NR, 2, HEX),
	F(S390, KVM_EXIT_S390_TSCH, "io_int_parm", LS_TSCH_IO_INT_PARM, 4, HEX),
	F(S390, KVM_EXIT_S390_TSCH, "io_int_word", LS_TSCH_IO_INT_WORD, 4, HEX),
	F(S390, KVM_EXIT_S390_TSCH, "ipb", LS_TSCH_IPB, 4, HEX),
	F(S390, KVM_EXIT_S390_TSCH, "dequeued", LS_TSCH_DEQUEUED, 1, DEC),
	F(S390, KVM_EXIT_S390_STSI, "addr", LS_STSI_ADDR, 8, HEX),
	F(S390, KVM_EXIT_S390_STSI, "ar", LS_STSI_AR, 1, DEC),
	F(S390, KVM_EXIT_S390_STSI, "reserved", LS_STSI_RESERVED, 1, HEX),
	F(S390, KVM_EXIT_S390_STSI, "fc", LS_STSI_FC, 1, DEC),
	F(S390, KVM_EXIT_S390_STSI, "sel1", LS_STSI_SEL1, 1, DEC),
	F(S390, KVM_EXIT_S390_STSI, "sel2", LS_STSI_SEL2, 2, DEC),
	F(S390, KVM_EXIT_INTERNAL_ERROR, "suberror", LS_INTERNAL_SUBERROR, 4, DEC),
	F(S390, KVM_EXIT_INTERNAL_ERROR, "ndata", LS_INTERNAL_NDATA, 4, DEC),
	FN(S390, KVM_EXIT_INTERNAL_ERROR, "data", LS_INTERNAL_DATA, LS_INTERNAL_NDATA),
};
const unsigned int kvmrc_field_count = sizeof(kvmrc_fields) / sizeof(kvmrc_fields[0]);
_Static_assert(sizeof(kvmrc_fields) / sizeof(kvmrc_fields[0]) <= KVMRC_FIELD_MAX, "raise KVMRC_FIELD_MAX");

int kvmrc_field_applies(const struct kvmrc_field *f, unsigned int arch, unsigned int exit_reason)
{
	if (f->arch != arch && !(f->arch == ALL && arch != KVMRUN_COMPAT_ARCH_S390X))
		return 0;
	return f->exit_reason == exit_reason || f->exit_reason == KVMRC_FIELD_EXIT_ANY;
}

struct name { unsigned int v; const char *name; };

static const char *lookup(const struct name *t, size_t n, unsigned int v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	return NULL;
}
#define LOOKUP(t, v) lookup(t, sizeof(t) / sizeof(t[0]), v)

static const struct name exit_names[] = {
	{ KVM_EXIT_UNKNOWN, "UNKNOWN" }, { KVM_EXIT_EXCEPTION, "EXCEPTION" }, { KVM_EXIT_IO, "IO" },
	{ KVM_EXIT_HYPERCALL, "HYPERCALL" }, { KVM_EXIT_DEBUG, "DEBUG" }, { KVM_EXIT_HLT, "HLT" },
	{ KVM_EXIT_MMIO, "MMIO" }, { KVM_EXIT_IRQ_WINDOW_OPEN, "IRQ_WINDOW_OPEN" },
	{ KVM_EXIT_SHUTDOWN, "SHUTDOWN" }, { KVM_EXIT_FAIL_ENTRY, "FAIL_ENTRY" }, { KVM_EXIT_INTR, "INTR" },
	{ KVM_EXIT_SET_TPR, "SET_TPR" }, { KVM_EXIT_TPR_ACCESS, "TPR_ACCESS" },
	{ KVM_EXIT_S390_SIEIC, "S390_SIEIC" }, { KVM_EXIT_S390_RESET, "S390_RESET" }, { KVM_EXIT_DCR, "DCR" },
	{ KVM_EXIT_NMI, "NMI" }, { KVM_EXIT_INTERNAL_ERROR, "INTERNAL_ERROR" }, { KVM_EXIT_OSI, "OSI" },
	{ KVM_EXIT_PAPR_HCALL, "PAPR_HCALL" }, { KVM_EXIT_S390_UCONTROL, "S390_UCONTROL" },
	{ KVM_EXIT_WATCHDOG, "WATCHDOG" }, { KVM_EXIT_S390_TSCH, "S390_TSCH" }, { KVM_EXIT_EPR, "EPR" },
	{ KVM_EXIT_SYSTEM_EVENT, "SYSTEM_EVENT" }, { KVM_EXIT_S390_STSI, "S390_STSI" },
	{ KVM_EXIT_IOAPIC_EOI, "IOAPIC_EOI" }, { KVM_EXIT_HYPERV, "HYPERV" }, { KVM_EXIT_ARM_NISV, "ARM_NISV" },
	{ KVM_EXIT_X86_RDMSR, "X86_RDMSR" }, { KVM_EXIT_X86_WRMSR, "X86_WRMSR" },
	{ KVM_EXIT_DIRTY_RING_FULL, "DIRTY_RING_FULL" }, { KVM_EXIT_AP_RESET_HOLD, "AP_RESET_HOLD" },
	{ KVM_EXIT_X86_BUS_LOCK, "X86_BUS_LOCK" }, { KVM_EXIT_XEN, "XEN" }, { KVM_EXIT_RISCV_SBI, "RISCV_SBI" },
	{ KVM_EXIT_RISCV_CSR, "RISCV_CSR" }, { KVM_EXIT_NOTIFY, "NOTIFY" },
	{ KVM_EXIT_LOONGARCH_IOCSR, "LOONGARCH_IOCSR" }, { KVM_EXIT_MEMORY_FAULT, "MEMORY_FAULT" },
	{ KVM_EXIT_TDX, "TDX" }, { KVM_EXIT_ARM_SEA, "ARM_SEA" }, { KVM_EXIT_ARM_LDST64B, "ARM_LDST64B" },
	{ KVM_EXIT_SNP_REQ_CERTS, "SNP_REQ_CERTS" },
};

static const struct name esr_classes[] = {
	{ 0x00, "UNKNOWN" }, { 0x01, "WFx" }, { 0x0e, "IL" }, { 0x15, "SVC64" }, { 0x16, "HVC64" },
	{ 0x17, "SMC64" }, { 0x18, "SYS64" }, { 0x20, "IABT_LOW" }, { 0x24, "DABT_LOW" },
	{ KVMRC_ESR_EC_BREAKPT_LOW, "BREAKPT_LOW" }, { KVMRC_ESR_EC_SOFTSTP_LOW, "SOFTSTP_LOW" },
	{ KVMRC_ESR_EC_WATCHPT_LOW, "WATCHPT_LOW" }, { KVMRC_ESR_EC_BKPT32, "BKPT32" },
	{ KVMRC_ESR_EC_BRK64, "BRK64" },
};

static const struct name system_events[] = {
	{ 1, "SHUTDOWN" }, { 2, "RESET" }, { 3, "CRASH" }, { 4, "WAKEUP" }, { 5, "SUSPEND" },
	{ 6, "SEV_TERM" }, { 7, "TDX_FATAL" },
};

static const struct name x86_vectors[] = {
	{ 0, "DE" }, { 1, "DB" }, { 2, "NMI" }, { 3, "BP" }, { 4, "OF" }, { 5, "BR" }, { 6, "UD" },
	{ 7, "NM" }, { 8, "DF" }, { 10, "TS" }, { 11, "NP" }, { 12, "SS" }, { 13, "GP" }, { 14, "PF" },
	{ 16, "MF" }, { 17, "AC" }, { 18, "MC" }, { 19, "XM" }, { 20, "VE" }, { 21, "CP" },
};

static const struct name hyperv_types[] = { { 1, "SYNIC" }, { 2, "HCALL" }, { 3, "SYNDBG" } };
static const struct name xen_types[] = { { 1, "HCALL" } };
static const struct name tdx_leaves[] = {
	{ KVMRC_TDVMCALL_GET_TD_VM_CALL_INFO, "GET_TD_VM_CALL_INFO" }, { KVMRC_TDVMCALL_GET_QUOTE, "GET_QUOTE" },
	{ KVMRC_TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT, "SETUP_EVENT_NOTIFY_INTERRUPT" },
};

int kvmrc_field_selected(const struct kvmrc_field *f, const uint8_t *page)
{
	if (f->sel == KVMRC_SEL_ALL)
		return 1;
	uint64_t v = 0;
	for (unsigned int i = 0; i < f->sel_size && i < 8; i++)
		v |= (uint64_t)page[f->sel_at + i] << (8 * i);
	if (f->sel == KVMRC_SEL_EQ)
		return v == f->sel_value;
	for (unsigned int i = 0; i < kvmrc_field_count; i++) { /* KVMRC_SEL_OTHER */
		const struct kvmrc_field *g = &kvmrc_fields[i];
		if (g->sel == KVMRC_SEL_EQ && g->arch == f->arch && g->exit_reason == f->exit_reason &&
		    g->sel_at == f->sel_at && g->sel_value == v)
			return 0;
	}
	return 1;
}

const char *kvmrc_field_value_name(unsigned int kind, uint64_t v)
{
	if (v > UINT32_MAX)
		return NULL;
	switch (kind) {
	case KVMRC_FK_ESR: return LOOKUP(esr_classes, KVMRC_ESR_EC(v));
	case KVMRC_FK_SYSEV: return LOOKUP(system_events, (unsigned int)v);
	case KVMRC_FK_X86_VECTOR: return LOOKUP(x86_vectors, (unsigned int)v);
	case KVMRC_FK_HYPERV_TYPE: return LOOKUP(hyperv_types, (unsigned int)v);
	case KVMRC_FK_XEN_TYPE: return LOOKUP(xen_types, (unsigned int)v);
	case KVMRC_FK_TDX_NR: return LOOKUP(tdx_leaves, (unsigned int)v);
	default: return NULL;
	}
}

const char *kvmrc_exit_name(unsigned int r)
{
	const char *n = LOOKUP(exit_names, r);
	return n ? n : "?";
}

const char *kvmrc_esr_class_name(unsigned int ec) { return LOOKUP(esr_classes, ec); }
const char *kvmrc_system_event_name(unsigned int t) { return LOOKUP(system_events, t); }
const char *kvmrc_x86_vector_name(unsigned int v) { return LOOKUP(x86_vectors, v); }

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi-check.c - compile-time proof that the offsets in layout.h and the
 * transcriptions in kvmrun-compat-uapi.h match the kernel's uapi headers.
 * Checks against <linux/kvm.h> run for the build architecture; the
 * transcribed structs are checked on every build.
 */
#include <stddef.h>
#include <linux/kvm.h>
#include <linux/version.h>
#include "kvmrun-compat-uapi.h"
#include "layout.h"

#define OFF(member) offsetof(struct kvm_run, member)

/* generic layout, every LP64 architecture but s390x */
#if !defined(__s390x__)
_Static_assert(OFF(flags) == L_FLAGS, "kvm_run.flags");
_Static_assert(OFF(hw) == L_U, "exit union start");
_Static_assert(OFF(fail_entry.hardware_entry_failure_reason) == L_FAIL_ENTRY_REASON, "fail_entry reason");
_Static_assert(OFF(fail_entry.cpu) == L_FAIL_ENTRY_CPU, "fail_entry.cpu");
_Static_assert(OFF(internal.suberror) == L_INTERNAL_SUBERROR, "internal.suberror");
_Static_assert(OFF(internal.ndata) == L_INTERNAL_NDATA, "internal.ndata");
_Static_assert(OFF(internal.data) == L_INTERNAL_DATA, "internal.data");
_Static_assert(sizeof(((struct kvm_run *)0)->internal.data) / 8 == 16, "internal.data[16]");
_Static_assert(OFF(system_event.ndata) == L_SYSTEM_EVENT_NDATA, "system_event.ndata");
_Static_assert(OFF(system_event.data) == L_SYSTEM_EVENT_DATA, "system_event.data");
_Static_assert(OFF(hypercall.args[3]) == L_HYPERCALL_ARGS3, "hypercall.args[3]");
_Static_assert(OFF(hypercall.ret) == L_HYPERCALL_RET, "hypercall.ret");
_Static_assert(OFF(hypercall.longmode) == L_HYPERCALL_FLAGS, "hypercall.longmode (flags since 6.4)");
_Static_assert(OFF(hypercall.longmode) + 4 == L_HYPERCALL_FLAGS_HIGH, "hypercall pad (upper half of flags since 6.4)");
_Static_assert(sizeof(struct kvm_run) == KVMRC_RUN_SIZE, "sizeof(struct kvm_run)");
_Static_assert(OFF(mmio.data) == L_MMIO_DATA, "mmio.data");
_Static_assert(OFF(mmio.len) == L_MMIO_LEN, "mmio.len");
_Static_assert(OFF(mmio.is_write) == L_MMIO_IS_WRITE, "mmio.is_write");
_Static_assert(OFF(riscv_sbi.ret) == L_RISCV_SBI_RET, "riscv_sbi.ret");
_Static_assert(OFF(riscv_csr.ret_value) == L_RISCV_CSR_RET, "riscv_csr.ret_value");
/* the field table's names (fields.c) */
_Static_assert(OFF(io.direction) == L_IO_DIRECTION && OFF(io.size) == L_IO_SIZE && OFF(io.port) == L_IO_PORT &&
	       OFF(io.count) == L_IO_COUNT && OFF(io.data_offset) == L_IO_DATA_OFFSET, "io");
_Static_assert(OFF(mmio.phys_addr) == L_MMIO_PHYS_ADDR, "mmio.phys_addr");
_Static_assert(OFF(hypercall.nr) == L_HYPERCALL_NR && OFF(hypercall.args) == L_HYPERCALL_ARGS, "hypercall");
_Static_assert(OFF(system_event.type) == L_SYSTEM_EVENT_TYPE, "system_event.type");
_Static_assert(OFF(ex.exception) == L_EXCEPTION_NR && OFF(ex.error_code) == L_EXCEPTION_ERROR_CODE, "ex");
_Static_assert(OFF(msr.error) == L_MSR_ERROR && OFF(msr.reason) == L_MSR_REASON && OFF(msr.index) == L_MSR_INDEX &&
	       OFF(msr.data) == L_MSR_DATA, "msr");
_Static_assert(OFF(arm_nisv.esr_iss) == L_ARM_NISV_ESR_ISS && OFF(arm_nisv.fault_ipa) == L_ARM_NISV_FAULT_IPA, "arm_nisv");
_Static_assert(OFF(riscv_sbi.extension_id) == L_RISCV_SBI_EXT && OFF(riscv_sbi.function_id) == L_RISCV_SBI_FID &&
	       OFF(riscv_sbi.args) == L_RISCV_SBI_ARGS, "riscv_sbi");
_Static_assert(OFF(riscv_csr.csr_num) == L_RISCV_CSR_NUM && OFF(riscv_csr.new_value) == L_RISCV_CSR_NEW &&
	       OFF(riscv_csr.write_mask) == L_RISCV_CSR_MASK, "riscv_csr");
_Static_assert(OFF(notify.flags) == L_NOTIFY_FLAGS && OFF(hw.hardware_exit_reason) == L_HW_REASON, "notify, hw");
_Static_assert(OFF(tpr_access.rip) == L_TPR_RIP && OFF(tpr_access.is_write) == L_TPR_IS_WRITE, "tpr_access");
_Static_assert(OFF(eoi.vector) == L_EOI_VECTOR, "eoi");
_Static_assert(OFF(hyperv.type) == L_HYPERV_TYPE && OFF(hyperv.u.synic.msr) == L_HYPERV_SYNIC_MSR &&
	       OFF(hyperv.u.synic.control) == L_HYPERV_SYNIC_CONTROL &&
	       OFF(hyperv.u.synic.evt_page) == L_HYPERV_SYNIC_EVT_PAGE &&
	       OFF(hyperv.u.synic.msg_page) == L_HYPERV_SYNIC_MSG_PAGE, "hyperv synic");
_Static_assert(OFF(hyperv.u.hcall.input) == L_HYPERV_HCALL_INPUT && OFF(hyperv.u.hcall.result) == L_HYPERV_HCALL_RESULT &&
	       OFF(hyperv.u.hcall.params) == L_HYPERV_HCALL_PARAMS, "hyperv hcall");
_Static_assert(OFF(hyperv.u.syndbg.msr) == L_HYPERV_SYNDBG_MSR && OFF(hyperv.u.syndbg.control) == L_HYPERV_SYNDBG_CONTROL &&
	       OFF(hyperv.u.syndbg.status) == L_HYPERV_SYNDBG_STATUS &&
	       OFF(hyperv.u.syndbg.send_page) == L_HYPERV_SYNDBG_SEND &&
	       OFF(hyperv.u.syndbg.recv_page) == L_HYPERV_SYNDBG_RECV &&
	       OFF(hyperv.u.syndbg.pending_page) == L_HYPERV_SYNDBG_PENDING, "hyperv syndbg");
_Static_assert(KVM_EXIT_HYPERV_SYNIC == 1 && KVM_EXIT_HYPERV_HCALL == 2 && KVM_EXIT_HYPERV_SYNDBG == 3, "hyperv types");
_Static_assert(OFF(xen.type) == L_XEN_TYPE && OFF(xen.u.hcall.longmode) == L_XEN_HCALL_LONGMODE &&
	       OFF(xen.u.hcall.cpl) == L_XEN_HCALL_CPL && OFF(xen.u.hcall.input) == L_XEN_HCALL_INPUT &&
	       OFF(xen.u.hcall.result) == L_XEN_HCALL_RESULT && OFF(xen.u.hcall.params) == L_XEN_HCALL_PARAMS &&
	       sizeof(((struct kvm_run *)0)->xen.u.hcall.params) == 48, "xen hcall");
_Static_assert(KVM_EXIT_XEN_HCALL == 1, "xen type");
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0) /* KVM_EXIT_TDX in the headers */
_Static_assert(OFF(tdx.flags) == L_TDX_FLAGS && OFF(tdx.nr) == L_TDX_NR && OFF(tdx.unknown.ret) == L_TDX_RET &&
	       OFF(tdx.unknown.data) == L_TDX_UNKNOWN_DATA && OFF(tdx.get_quote.gpa) == L_TDX_GET_QUOTE_GPA &&
	       OFF(tdx.get_quote.size) == L_TDX_GET_QUOTE_SIZE && OFF(tdx.get_tdvmcall_info.leaf) == L_TDX_INFO_LEAF &&
	       OFF(tdx.get_tdvmcall_info.r11) == L_TDX_INFO_R11 &&
	       OFF(tdx.setup_event_notify.vector) == L_TDX_NOTIFY_VECTOR, "tdx (uapi)");
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0) /* KVM_EXIT_SNP_REQ_CERTS in the headers */
_Static_assert(OFF(snp_req_certs.gpa) == L_SNP_CERTS_GPA && OFF(snp_req_certs.npages) == L_SNP_CERTS_NPAGES &&
	       OFF(snp_req_certs.ret) == L_SNP_CERTS_RET, "snp_req_certs (uapi)");
#endif
_Static_assert(sizeof(((struct kvm_run *)0)->s) + OFF(s) <= KVMRC_RUN_SIZE, "sync regs inside kvm_run");
_Static_assert(OFF(kvm_valid_regs) == KVMRC_RUN_UNION_OFFSET + 256, "exit union is 256 bytes");
_Static_assert(OFF(hw) == KVMRC_RUN_UNION_OFFSET, "KVMRC_RUN_UNION_OFFSET");
_Static_assert(OFF(flags) == KVMRC_RUN_FLAGS_OFFSET, "KVMRC_RUN_FLAGS_OFFSET");
_Static_assert(OFF(exit_reason) == KVMRC_RUN_EXIT_REASON_OFFSET, "KVMRC_RUN_EXIT_REASON_OFFSET");
_Static_assert(OFF(immediate_exit) == KVMRC_RUN_IMMEDIATE_EXIT_OFFSET, "KVMRC_RUN_IMMEDIATE_EXIT_OFFSET");
#ifdef KVM_MEMORY_EXIT_FLAG_PRIVATE /* headers of 6.8 and later */
_Static_assert(OFF(memory_fault.flags) == L_MEMORY_FAULT, "memory_fault.flags (uapi)");
_Static_assert(OFF(memory_fault.size) + 8 == L_MEMORY_FAULT + L_MEMORY_FAULT_SIZE, "memory_fault.size (uapi)");
#endif
#ifdef KVM_EXIT_ARM_SEA_FLAG_GPA_VALID /* headers of 6.19 and later */
_Static_assert(OFF(arm_sea.gva) == L_ARM_SEA_GVA, "arm_sea.gva (uapi)");
_Static_assert(OFF(arm_sea.gpa) == L_ARM_SEA_GPA, "arm_sea.gpa (uapi)");
#endif
#else
_Static_assert(OFF(hw) == KVMRC_RUN_UNION_OFFSET_S390, "s390x exit union start");
_Static_assert(OFF(psw_mask) == KVMRC_S390_PSW_MASK_OFFSET, "s390x psw_mask");
_Static_assert(OFF(debug.arch.pad) == LS_DEBUG_PAD, "s390x debug.pad (uapi)");
_Static_assert(OFF(s390_tsch.dequeued) == LS_TSCH_DEQUEUED, "s390x tsch.dequeued (uapi)");
_Static_assert(OFF(s390_stsi.reserved) == LS_STSI_RESERVED, "s390x stsi.reserved (uapi)");
_Static_assert(OFF(internal.ndata) == LS_U + 4, "s390x internal.ndata (uapi)");
_Static_assert(OFF(flags) == L_FLAGS, "s390x kvm_run.flags (uapi)");
_Static_assert(OFF(psw_addr) == KVMRC_S390_PSW_ADDR_OFFSET, "s390x psw_addr (uapi)");
_Static_assert(OFF(debug.arch.addr) == LS_DEBUG_ADDR && OFF(debug.arch.type) == LS_DEBUG_TYPE, "s390x debug (uapi)");
_Static_assert(sizeof(struct kvm_run) == KVMRC_RUN_SIZE_S390, "s390x sizeof(struct kvm_run)");
#endif

/* the transcribed per-arch structs, on every build */
_Static_assert(L_U + offsetof(struct kvmrc_arm64_debug_exit_arch, hsr_high) == L_DEBUG_ARM64_HSR_HIGH, "arm64 hsr_high");
_Static_assert(L_U + offsetof(struct kvmrc_arm64_debug_exit_arch, far) == L_DEBUG_ARM64_FAR, "arm64 far");
_Static_assert(sizeof(struct kvmrc_arm64_debug_exit_arch) == 16, "arm64 kvm_debug_exit_arch");
_Static_assert(L_U + offsetof(struct kvmrc_x86_debug_exit_arch, pad) == L_DEBUG_X86_PAD, "x86 debug pad");
_Static_assert(L_U + offsetof(struct kvmrc_x86_debug_exit_arch, dr6) == L_DEBUG_X86_DR6, "x86 dr6");
_Static_assert(L_U + offsetof(struct kvmrc_x86_debug_exit_arch, dr7) == L_DEBUG_X86_DR7, "x86 dr7");
_Static_assert(sizeof(struct kvmrc_arm64_vcpu_init) == 32, "kvm_vcpu_init");
_Static_assert(L_U + offsetof(struct kvmrc_memory_fault, flags) == L_MEMORY_FAULT, "memory_fault.flags");
_Static_assert(sizeof(struct kvmrc_memory_fault) == L_MEMORY_FAULT_SIZE, "memory_fault size");
_Static_assert(L_U + offsetof(struct kvmrc_arm_sea, flags) == L_ARM_SEA_FLAGS, "arm_sea.flags");
_Static_assert(L_U + offsetof(struct kvmrc_arm_sea, esr) == L_ARM_SEA_ESR, "arm_sea.esr");
_Static_assert(L_U + offsetof(struct kvmrc_arm_sea, gva) == L_ARM_SEA_GVA, "arm_sea.gva");
_Static_assert(L_U + offsetof(struct kvmrc_arm_sea, gpa) == L_ARM_SEA_GPA, "arm_sea.gpa");
/* s390x: the transcribed union members, placed at the s390x union start */
_Static_assert(LS_U == KVMRC_RUN_UNION_OFFSET_S390, "s390x union start");
_Static_assert(KVMRC_S390_PSW_ADDR_OFFSET + 8 == LS_U, "s390x psw_addr ends where the union starts");
_Static_assert(LS_U + offsetof(struct kvmrc_s390_debug_exit_arch, type) == LS_DEBUG_TYPE, "s390x debug.type");
_Static_assert(LS_U + offsetof(struct kvmrc_s390_debug_exit_arch, pad) == LS_DEBUG_PAD, "s390x debug.pad");
_Static_assert(sizeof(((struct kvmrc_s390_debug_exit_arch *)0)->pad) == 7, "s390x debug.pad[7]");
_Static_assert(LS_U + offsetof(struct kvmrc_s390_tsch, subchannel_id) == LS_TSCH_SUBCHANNEL, "s390x tsch.subchannel_id");
_Static_assert(offsetof(struct kvmrc_s390_tsch, ipb) == 12, "s390x tsch: 12 bytes of interrupt data before ipb");
_Static_assert(LS_U + offsetof(struct kvmrc_s390_tsch, dequeued) == LS_TSCH_DEQUEUED, "s390x tsch.dequeued");
_Static_assert(LS_U + offsetof(struct kvmrc_s390_stsi, reserved) == LS_STSI_RESERVED, "s390x stsi.reserved");
_Static_assert(LS_U + offsetof(struct kvmrc_s390_debug_exit_arch, addr) == LS_DEBUG_ADDR, "s390x debug.addr");
_Static_assert(LS_U + offsetof(struct kvmrc_s390_sieic, icptcode) == LS_SIEIC_ICPTCODE &&
	       LS_U + offsetof(struct kvmrc_s390_sieic, ipa) == LS_SIEIC_IPA &&
	       LS_U + offsetof(struct kvmrc_s390_sieic, ipb) == LS_SIEIC_IPB, "s390x sieic");
_Static_assert(LS_U + offsetof(struct kvmrc_s390_ucontrol, trans_exc_code) == LS_UCONTROL_TRANS_EXC &&
	       LS_U + offsetof(struct kvmrc_s390_ucontrol, pgm_code) == LS_UCONTROL_PGM_CODE, "s390x ucontrol");
_Static_assert(LS_U + offsetof(struct kvmrc_s390_tsch, subchannel_nr) == LS_TSCH_SUBCHANNEL_NR &&
	       LS_U + offsetof(struct kvmrc_s390_tsch, io_int_parm) == LS_TSCH_IO_INT_PARM &&
	       LS_U + offsetof(struct kvmrc_s390_tsch, io_int_word) == LS_TSCH_IO_INT_WORD &&
	       LS_U + offsetof(struct kvmrc_s390_tsch, ipb) == LS_TSCH_IPB, "s390x tsch");
_Static_assert(LS_U + offsetof(struct kvmrc_s390_stsi, addr) == LS_STSI_ADDR &&
	       LS_U + offsetof(struct kvmrc_s390_stsi, ar) == LS_STSI_AR &&
	       LS_U + offsetof(struct kvmrc_s390_stsi, fc) == LS_STSI_FC &&
	       LS_U + offsetof(struct kvmrc_s390_stsi, sel1) == LS_STSI_SEL1 &&
	       LS_U + offsetof(struct kvmrc_s390_stsi, sel2) == LS_STSI_SEL2, "s390x stsi");
/* the s390x reset flags and internal error are one u64 and the generic struct */
_Static_assert(LS_RESET_FLAGS == LS_U && LS_INTERNAL_NDATA == LS_INTERNAL_SUBERROR + 4 &&
	       LS_INTERNAL_DATA == LS_INTERNAL_SUBERROR + 8, "s390x reset, internal");
/* the transcribed TDX and SNP structs (6.16, 7.0), placed at the union start */
_Static_assert(L_U + offsetof(struct kvmrc_tdx_exit, flags) == L_TDX_FLAGS &&
	       L_U + offsetof(struct kvmrc_tdx_exit, nr) == L_TDX_NR &&
	       L_U + offsetof(struct kvmrc_tdx_exit, unknown.ret) == L_TDX_RET &&
	       L_U + offsetof(struct kvmrc_tdx_exit, get_quote.ret) == L_TDX_RET &&
	       L_U + offsetof(struct kvmrc_tdx_exit, get_tdvmcall_info.ret) == L_TDX_RET &&
	       L_U + offsetof(struct kvmrc_tdx_exit, setup_event_notify.ret) == L_TDX_RET, "tdx flags, nr, ret");
_Static_assert(L_U + offsetof(struct kvmrc_tdx_exit, unknown.data) == L_TDX_UNKNOWN_DATA &&
	       L_U + offsetof(struct kvmrc_tdx_exit, get_quote.gpa) == L_TDX_GET_QUOTE_GPA &&
	       L_U + offsetof(struct kvmrc_tdx_exit, get_quote.size) == L_TDX_GET_QUOTE_SIZE &&
	       L_U + offsetof(struct kvmrc_tdx_exit, get_tdvmcall_info.leaf) == L_TDX_INFO_LEAF &&
	       L_U + offsetof(struct kvmrc_tdx_exit, get_tdvmcall_info.r11) == L_TDX_INFO_R11 &&
	       L_U + offsetof(struct kvmrc_tdx_exit, get_tdvmcall_info.r14) == L_TDX_INFO_R11 + 24 &&
	       L_U + offsetof(struct kvmrc_tdx_exit, setup_event_notify.vector) == L_TDX_NOTIFY_VECTOR, "tdx members");
_Static_assert(sizeof(struct kvmrc_tdx_exit) == 64, "tdx: 64 bytes (56-95 written per leaf, X10)");
_Static_assert(L_U + offsetof(struct kvmrc_snp_req_certs, gpa) == L_SNP_CERTS_GPA &&
	       L_U + offsetof(struct kvmrc_snp_req_certs, npages) == L_SNP_CERTS_NPAGES &&
	       L_U + offsetof(struct kvmrc_snp_req_certs, ret) == L_SNP_CERTS_RET, "snp_req_certs");

/* the s390x union members are in every architecture's <linux/kvm.h>: their
 * offsets from the union start, against the s390x union at LS_U */
#define UREL(member) (offsetof(struct kvm_run, member) - offsetof(struct kvm_run, hw))
_Static_assert(LS_U + UREL(s390_sieic.icptcode) == LS_SIEIC_ICPTCODE && LS_U + UREL(s390_sieic.ipa) == LS_SIEIC_IPA &&
	       LS_U + UREL(s390_sieic.ipb) == LS_SIEIC_IPB, "s390x sieic (uapi)");
_Static_assert(LS_U + UREL(s390_reset_flags) == LS_RESET_FLAGS, "s390x reset flags (uapi)");
_Static_assert(LS_U + UREL(s390_ucontrol.trans_exc_code) == LS_UCONTROL_TRANS_EXC &&
	       LS_U + UREL(s390_ucontrol.pgm_code) == LS_UCONTROL_PGM_CODE, "s390x ucontrol (uapi)");
_Static_assert(LS_U + UREL(s390_tsch.subchannel_id) == LS_TSCH_SUBCHANNEL &&
	       LS_U + UREL(s390_tsch.subchannel_nr) == LS_TSCH_SUBCHANNEL_NR &&
	       LS_U + UREL(s390_tsch.io_int_parm) == LS_TSCH_IO_INT_PARM &&
	       LS_U + UREL(s390_tsch.io_int_word) == LS_TSCH_IO_INT_WORD && LS_U + UREL(s390_tsch.ipb) == LS_TSCH_IPB &&
	       LS_U + UREL(s390_tsch.dequeued) == LS_TSCH_DEQUEUED, "s390x tsch (uapi)");
_Static_assert(LS_U + UREL(s390_stsi.addr) == LS_STSI_ADDR && LS_U + UREL(s390_stsi.ar) == LS_STSI_AR &&
	       LS_U + UREL(s390_stsi.reserved) == LS_STSI_RESERVED && LS_U + UREL(s390_stsi.fc) == LS_STSI_FC &&
	       LS_U + UREL(s390_stsi.sel1) == LS_STSI_SEL1 && LS_U + UREL(s390_stsi.sel2) == LS_STSI_SEL2,
	       "s390x stsi (uapi)");
_Static_assert(LS_U + UREL(internal.suberror) == LS_INTERNAL_SUBERROR && LS_U + UREL(internal.ndata) == LS_INTERNAL_NDATA &&
	       LS_U + UREL(internal.data) == LS_INTERNAL_DATA, "s390x internal (uapi)");

/* and against the real headers where the build architecture has them */
#if defined(__aarch64__)
_Static_assert(OFF(debug.arch.hsr) == L_U, "arm64 hsr");
_Static_assert(OFF(debug.arch.hsr_high) == L_DEBUG_ARM64_HSR_HIGH, "arm64 hsr_high (uapi)");
_Static_assert(OFF(debug.arch.far) == L_DEBUG_ARM64_FAR, "arm64 far (uapi)");
_Static_assert(KVM_DEBUG_ARCH_HSR_HIGH_VALID == KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID, "HSR_HIGH_VALID");
_Static_assert(KVM_EXIT_FAIL_ENTRY_CPU_UNSUPPORTED == KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED, "CPU_UNSUPPORTED");
_Static_assert(KVM_ARM_VCPU_INIT == KVMRC_ARM_VCPU_INIT, "KVM_ARM_VCPU_INIT");
_Static_assert(KVM_ARM_PREFERRED_TARGET == KVMRC_ARM_PREFERRED_TARGET, "KVM_ARM_PREFERRED_TARGET");
_Static_assert(sizeof(struct kvm_vcpu_init) == sizeof(struct kvmrc_arm64_vcpu_init), "kvm_vcpu_init (uapi)");
_Static_assert((KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
		(offsetof(struct kvm_regs, regs.pstate) / 4)) == KVMRC_ARM64_REG_PSTATE, "PSTATE reg id");
#endif
#if defined(__x86_64__)
_Static_assert(OFF(debug.arch.pad) == L_DEBUG_X86_PAD, "x86 pad (uapi)");
_Static_assert(OFF(debug.arch.dr6) == L_DEBUG_X86_DR6, "x86 dr6 (uapi)");
_Static_assert(OFF(debug.arch.dr7) == L_DEBUG_X86_DR7, "x86 dr7 (uapi)");
_Static_assert(KVM_RUN_X86_SMM == KVMRC_X86_RUN_SMM, "KVM_RUN_X86_SMM");
_Static_assert(KVM_RUN_X86_BUS_LOCK == KVMRC_X86_RUN_BUS_LOCK, "KVM_RUN_X86_BUS_LOCK");
#endif

/* Keeps this translation unit non-empty. */
extern int kvmrc_abi_checked;
int kvmrc_abi_checked = 1;

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi-check.c - compile-time proof that the offsets in layout.h and the
 * transcriptions in kvmrun-compat-uapi.h match the kernel's uapi headers.
 * Checks against <linux/kvm.h> run for the build architecture; the
 * transcribed structs are checked on every build.
 */
#include <stddef.h>
#include <linux/kvm.h>
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

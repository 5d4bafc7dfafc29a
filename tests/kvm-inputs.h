/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm-inputs.h - the bytes of struct kvm_run that the kernel reads back on
 * the next KVM_RUN (completion inputs), per architecture and pending exit.
 *
 * Written from the kernels' completion code (see "Completion inputs" in
 * docs/abi-ledger.md, which cites file, function and version of each row),
 * independently of the rule table: tests/test-writes.c and the fuzz target
 * (tests/fuzz/) check every rule and every byte the engine writes against it.
 * Offsets are absolute byte offsets into kvm_run for the named architecture.
 *
 * Two questions, two functions:
 *   kvm_is_input(arch, exit, byte)    may the kernel read this byte back after
 *                                     this exit, under any condition, on any
 *                                     kernel in the table (the superset: what
 *                                     a rule must never touch);
 *   kvm_is_input_at(arch, exit, byte, page)
 *                                     does it, for the exit as the kernel left
 *                                     it in `page` (MMIO direction and length,
 *                                     Hyper-V type, TDX leaf): what a scrub
 *                                     before the next KVM_RUN must keep.
 * Rows with len 0 say "this exit has no completion input" explicitly.
 */
#ifndef KVMRC_TEST_KVM_INPUTS_H
#define KVMRC_TEST_KVM_INPUTS_H

#include <stdint.h>
#include <string.h>
#include <linux/kvm.h>
#include "kvmrun-compat.h"
#include "kvmrun-compat-uapi.h"

#ifndef KVM_EXIT_ARM_LDST64B
#define KVM_EXIT_ARM_LDST64B 42
#endif
#ifndef KVM_EXIT_SNP_REQ_CERTS
#define KVM_EXIT_SNP_REQ_CERTS 43
#endif

#define IN_X86   (1u << KVMRUN_COMPAT_ARCH_X86_64)
#define IN_ARM64 (1u << KVMRUN_COMPAT_ARCH_ARM64)
#define IN_RISCV (1u << KVMRUN_COMPAT_ARCH_RISCV64)
#define IN_S390  (1u << KVMRUN_COMPAT_ARCH_S390X)
#define IN_LP64U (IN_X86 | IN_ARM64 | IN_RISCV) /* exit union at 32 */
#define IN_ALL   (IN_LP64U | IN_S390)
#define IN_ANY_EXIT 0xffffffffu

/* When a range is read (evaluated on the page as the kernel left it at exit). */
enum kvm_input_cond {
	IN_ALWAYS = 0,
	IN_MMIO_READ,  /* only if mmio.is_write (byte 52) == 0, and only the first
			* mmio.len bytes (u32 at 48, at most 8) of the range */
	IN_U32_EQ,     /* only if the u32 at cond_at == cond_arg */
	IN_U64_EQ,     /* only if the u64 at cond_at == cond_arg */
};

#define IN_MMIO_LEN_AT      48
#define IN_MMIO_IS_WRITE_AT 52

struct kvm_input_range {
	unsigned int arch_mask;
	uint32_t exit_reason;  /* IN_ANY_EXIT: every exit */
	unsigned int off, len;
	const char *what;
	/* optional (zero: always read, on every kernel the row's reader exists in) */
	unsigned int cond;     /* enum kvm_input_cond */
	unsigned int cond_at;
	uint64_t cond_arg;
	const char *since;     /* first kernel whose reader reads it ("": as old as the exit) */
	const char *until;     /* last kernel series read that still does ("": through 7.1) */
};

/* Every field given, so that -Wextra stays quiet. */
#define IN_ROW(mask, exit, off, len, what) { mask, exit, off, len, what, IN_ALWAYS, 0, 0, "", "" }
#define IN_ROWC(mask, exit, off, len, what, cond, at, arg, since, until) \
	{ mask, exit, off, len, what, cond, at, arg, since, until }

static const struct kvm_input_range kvm_inputs[] = {
	/* ---- every exit: header ---- */
	IN_ROW(IN_ALL, IN_ANY_EXIT, 0, 8, "request_interrupt_window (x86 only reads it), immediate_exit, padding1"),
	IN_ROW(IN_ARM64, IN_ANY_EXIT, 8, 4, "exit_reason: arm.c kvm_arch_vcpu_ioctl_run runs the MMIO return if it reads KVM_EXIT_MMIO"),
	IN_ROW(IN_RISCV, IN_ANY_EXIT, 8, 4, "exit_reason: vcpu.c kvm_arch_vcpu_ioctl_run switches MMIO/SBI/CSR return on it"),
	IN_ROW(IN_X86, IN_ANY_EXIT, 16, 8, "cr8: kvm_set_cr8(kvm_run->cr8) when the local APIC is not in the kernel"),
	IN_ROW(IN_S390, IN_ANY_EXIT, 32, 16, "psw_mask, psw_addr: kvm-s390.c sync_regs"),
	IN_ROW(IN_LP64U, IN_ANY_EXIT, 288, KVMRC_RUN_SIZE - 288, "kvm_valid_regs, kvm_dirty_regs, sync regs"),
	IN_ROW(IN_S390, IN_ANY_EXIT, 304, KVMRC_RUN_SIZE_S390 - 304, "kvm_valid_regs, kvm_dirty_regs, sync regs"),

	/* ---- x86_64 ---- */
	IN_ROWC(IN_X86, KVM_EXIT_MMIO, 40, 8, "mmio.data[0..len) of a read: x86.c complete_emulated_mmio, complete_sev_es_emulated_mmio, tdx.c tdx_complete_mmio_read", IN_MMIO_READ, 0, 0, "", ""),
	IN_ROW(IN_X86, KVM_EXIT_IO, 32, 0, "none: the data is read from the PIO page (vcpu->arch.pio_data, mmap offset 4096), run->io never"),
	IN_ROWC(IN_X86, KVM_EXIT_HYPERCALL, 88, 8, "hypercall.ret: complete_hypercall_exit; sev.c snp_complete_psc_msr/snp_complete_one_psc; tdx.c tdx_complete_vmcall_map_gpa", IN_ALWAYS, 0, 0, "5.14", ""),
	IN_ROWC(IN_X86, KVM_EXIT_X86_RDMSR, 32, 1, "msr.error: complete_emulated_msr (5.10), complete_userspace_rdmsr (7.1)", IN_ALWAYS, 0, 0, "5.10", ""),
	IN_ROWC(IN_X86, KVM_EXIT_X86_RDMSR, 48, 8, "msr.data (used when error == 0)", IN_ALWAYS, 0, 0, "5.10", ""),
	IN_ROWC(IN_X86, KVM_EXIT_X86_WRMSR, 32, 1, "msr.error (msr.data is not read back)", IN_ALWAYS, 0, 0, "5.10", ""),
	IN_ROWC(IN_X86, KVM_EXIT_HYPERV, 48, 8, "hyperv.u.hcall.result: kvm_hv_hypercall_complete_userspace", IN_U32_EQ, 32, 2 /* KVM_EXIT_HYPERV_HCALL */, "", ""),
	IN_ROWC(IN_X86, KVM_EXIT_HYPERV, 40, 4, "hyperv.u.syndbg.msr: kvm_hv_syndbg_complete_userspace", IN_U32_EQ, 32, 3 /* KVM_EXIT_HYPERV_SYNDBG */, "5.8", ""),
	IN_ROWC(IN_X86, KVM_EXIT_HYPERV, 56, 8, "hyperv.u.syndbg.status (used when msr is SYNDBG_CONTROL)", IN_U32_EQ, 32, 3 /* KVM_EXIT_HYPERV_SYNDBG */, "5.8", ""),
	IN_ROWC(IN_X86, KVM_EXIT_XEN, 56, 8, "xen.u.hcall.result: xen.c kvm_xen_hypercall_complete_userspace", IN_ALWAYS, 0, 0, "5.12", ""),
	IN_ROWC(IN_X86, KVM_EXIT_TDX, 48, 8, "tdx.*.ret: tdx.c tdx_complete_simple, tdx_complete_get_td_vm_call_info", IN_ALWAYS, 0, 0, "6.16", ""),
	IN_ROWC(IN_X86, KVM_EXIT_TDX, 64, 32, "tdx.get_tdvmcall_info.r11..r14 (nr TDVMCALL_GET_TD_VM_CALL_INFO)", IN_U64_EQ, 40, 0x10000, "6.16", ""),
	IN_ROWC(IN_X86, KVM_EXIT_SNP_REQ_CERTS, 40, 16, "snp_req_certs.npages (read when ret == ENOSPC), ret: sev.c snp_complete_req_certs", IN_ALWAYS, 0, 0, "7.0", ""),
	IN_ROW(IN_X86, KVM_EXIT_TPR_ACCESS, 32, 0, "none: lapic.c __report_tpr_access writes rip/is_write, no completion"),
	IN_ROW(IN_X86, KVM_EXIT_X86_BUS_LOCK, 32, 0, "none: svm.c complete_userspace_buslock reads RIP only"),

	/* ---- arm64 ---- */
	IN_ROWC(IN_ARM64, KVM_EXIT_MMIO, 40, 8, "mmio.data[0..len) of a read: mmio.c kvm_handle_mmio_return (direction and size from the ESR)", IN_MMIO_READ, 0, 0, "", ""),
	IN_ROWC(IN_ARM64, KVM_EXIT_MMIO, 48, 5, "mmio.len, mmio.is_write: virt/kvm/arm/mmio.c kvm_handle_mmio_return(vcpu, run) reads them (until \"KVM: arm/arm64: Cleanup MMIO handling\", 5.6)", IN_ALWAYS, 0, 0, "", "5.5"),
	IN_ROW(IN_ARM64, KVM_EXIT_HYPERCALL, 32, 0, "none: SMCCC results go through KVM_SET_ONE_REG"),
	IN_ROW(IN_ARM64, KVM_EXIT_ARM_NISV, 32, 0, "none"),
	IN_ROW(IN_ARM64, KVM_EXIT_ARM_SEA, 32, 0, "none"),
	IN_ROW(IN_ARM64, KVM_EXIT_ARM_LDST64B, 32, 0, "none: userspace emulates LD64B/ST64B through register state"),

	/* ---- riscv64 ---- */
	IN_ROW(IN_RISCV, KVM_EXIT_MMIO, 52, 1, "mmio.is_write: vcpu_insn.c kvm_riscv_vcpu_mmio_return (a zeroed byte turns a store into a load into rd)"),
	IN_ROWC(IN_RISCV, KVM_EXIT_MMIO, 40, 8, "mmio.data[0..len) of a load: kvm_riscv_vcpu_mmio_return", IN_MMIO_READ, 0, 0, "", ""),
	IN_ROW(IN_RISCV, KVM_EXIT_RISCV_SBI, 96, 16, "riscv_sbi.ret[2]: vcpu_sbi.c kvm_riscv_vcpu_sbi_return"),
	IN_ROW(IN_RISCV, KVM_EXIT_RISCV_CSR, 56, 8, "riscv_csr.ret_value: vcpu_insn.c kvm_riscv_vcpu_csr_return (used when rd != 0)"),

	/* ---- s390x: no union byte is read back ---- */
	IN_ROW(IN_S390, IN_ANY_EXIT, 48, 0, "none: kvm-s390.c reads only psw and sync regs"),
};

#define KVM_INPUTS_COUNT (sizeof(kvm_inputs) / sizeof(kvm_inputs[0]))

static inline int kvm_input_row_matches(const struct kvm_input_range *r, int arch, uint32_t exit_reason,
					unsigned int byte)
{
	return (r->arch_mask & (1u << arch)) &&
	       (r->exit_reason == IN_ANY_EXIT || r->exit_reason == exit_reason) &&
	       byte >= r->off && byte < r->off + r->len;
}

/* Superset: under any condition, on any kernel in the table. */
static inline int kvm_is_input(int arch, uint32_t exit_reason, unsigned int byte)
{
	for (unsigned int i = 0; i < KVM_INPUTS_COUNT; i++)
		if (kvm_input_row_matches(&kvm_inputs[i], arch, exit_reason, byte))
			return 1;
	return 0;
}

/* For the exit as the kernel left it in `page` (kvm_run of `arch`, native
 * byte order); versions are not distinguished (a row read by any kernel counts). */
static inline int kvm_is_input_at(int arch, uint32_t exit_reason, unsigned int byte, const uint8_t *page)
{
	for (unsigned int i = 0; i < KVM_INPUTS_COUNT; i++) {
		const struct kvm_input_range *r = &kvm_inputs[i];
		uint32_t u32;
		uint64_t u64;

		if (!kvm_input_row_matches(r, arch, exit_reason, byte))
			continue;
		switch (r->cond) {
		case IN_MMIO_READ:
			memcpy(&u32, page + IN_MMIO_LEN_AT, 4);
			if (page[IN_MMIO_IS_WRITE_AT] == 0 && byte - r->off < (u32 < 8 ? u32 : 8))
				return 1;
			break;
		case IN_U32_EQ:
			memcpy(&u32, page + r->cond_at, 4);
			if (u32 == (uint32_t)r->cond_arg)
				return 1;
			break;
		case IN_U64_EQ:
			memcpy(&u64, page + r->cond_at, 8);
			if (u64 == r->cond_arg)
				return 1;
			break;
		default:
			return 1;
		}
	}
	return 0;
}

#endif

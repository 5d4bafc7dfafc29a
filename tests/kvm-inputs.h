/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm-inputs.h - the bytes of struct kvm_run that the kernel reads back on
 * the next KVM_RUN (completion inputs), per architecture and exit reason.
 *
 * Written from the uapi and from the kernels' completion code (see the
 * "Completion inputs" table in docs/abi-ledger.md), independently of the
 * rule table: tests/test-writes.c and the fuzz target (tests/fuzz/) check
 * every rule and every byte the engine writes against it.  Offsets are
 * absolute byte offsets into kvm_run for the named architecture.
 */
#ifndef KVMRC_TEST_KVM_INPUTS_H
#define KVMRC_TEST_KVM_INPUTS_H

#include <stdint.h>
#include <linux/kvm.h>
#include "kvmrun-compat.h"
#include "kvmrun-compat-uapi.h"

#define IN_X86   (1u << KVMRUN_COMPAT_ARCH_X86_64)
#define IN_ARM64 (1u << KVMRUN_COMPAT_ARCH_ARM64)
#define IN_RISCV (1u << KVMRUN_COMPAT_ARCH_RISCV64)
#define IN_S390  (1u << KVMRUN_COMPAT_ARCH_S390X)
#define IN_LP64U (IN_X86 | IN_ARM64 | IN_RISCV) /* exit union at 32 */
#define IN_ALL   (IN_LP64U | IN_S390)
#define IN_ANY_EXIT 0xffffffffu

struct kvm_input_range {
	unsigned int arch_mask;
	uint32_t exit_reason;  /* IN_ANY_EXIT: every exit */
	unsigned int off, len;
	const char *what;
};

static const struct kvm_input_range kvm_inputs[] = {
	/* every exit */
	{ IN_ALL, IN_ANY_EXIT, 0, 8, "request_interrupt_window, immediate_exit, padding1 (in; planes RFC in/out)" },
	{ IN_ARM64 | IN_RISCV, IN_ANY_EXIT, 8, 4, "exit_reason: selects the MMIO/SBI/CSR completion" },
	{ IN_S390, IN_ANY_EXIT, 8, 4, "exit_reason (by caution)" },
	{ IN_X86, IN_ANY_EXIT, 16, 16, "cr8, apic_base (in/out)" },
	{ IN_S390, IN_ANY_EXIT, 32, 16, "psw_mask, psw_addr (sync_regs reads them)" },
	{ IN_LP64U, IN_ANY_EXIT, 288, KVMRC_RUN_SIZE - 288, "kvm_valid_regs, kvm_dirty_regs, sync regs" },
	{ IN_S390, IN_ANY_EXIT, 304, KVMRC_RUN_SIZE_S390 - 304, "kvm_valid_regs, kvm_dirty_regs, sync regs" },
	/* per exit */
	{ IN_LP64U, KVM_EXIT_MMIO, 40, 8, "mmio.data of a read" },
	{ IN_X86, KVM_EXIT_IO, 32, 16, "io (data_offset locates the pio data the kernel reads)" },
	{ IN_X86, KVM_EXIT_HYPERCALL, 88, 8, "hypercall.ret (complete_hypercall_exit)" },
	{ IN_X86, KVM_EXIT_X86_RDMSR, 32, 1, "msr.error" },
	{ IN_X86, KVM_EXIT_X86_RDMSR, 48, 8, "msr.data" },
	{ IN_X86, KVM_EXIT_X86_WRMSR, 32, 1, "msr.error" },
	{ IN_X86, KVM_EXIT_HYPERV, 32, 64, "hyperv hcall/synic results" },
	{ IN_X86, KVM_EXIT_XEN, 32, 96, "xen hcall result" },
	{ IN_X86, KVM_EXIT_TPR_ACCESS, 32, 16, "tpr_access" },
	{ IN_X86, KVM_EXIT_TDX, 32, KVMRC_RUN_UNION_SIZE, "tdx (in/out, by caution: the whole union)" },
	{ IN_RISCV, KVM_EXIT_RISCV_SBI, 96, 16, "riscv_sbi.ret[2] (kvm_riscv_vcpu_sbi_return)" },
	{ IN_RISCV, KVM_EXIT_RISCV_CSR, 56, 8, "riscv_csr.ret_value (kvm_riscv_vcpu_csr_return)" },
};

static inline int kvm_is_input(int arch, uint32_t exit_reason, unsigned int byte)
{
	for (unsigned int i = 0; i < sizeof(kvm_inputs) / sizeof(kvm_inputs[0]); i++) {
		const struct kvm_input_range *r = &kvm_inputs[i];
		if ((r->arch_mask & (1u << arch)) &&
		    (r->exit_reason == IN_ANY_EXIT || r->exit_reason == exit_reason) &&
		    byte >= r->off && byte < r->off + r->len)
			return 1;
	}
	return 0;
}

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exits.c - the exit tables.  Offsets are bytes of struct kvm_run (exit
 * union at 32; s390x at 48), proven against the uapi in abi-check.c.
 *
 * Inputs: what the kernel reads back from the exit union on the next
 * KVM_RUN.  Before KVM_RUN the scrub zeroes every other union byte, so a
 * byte the kernel does not write reads zero on any kernel, known or not.
 *
 * Writes: only needed where an input range was kept across a KVM_RUN and
 * the next exit may or may not overwrite it (an MMIO read's data under the
 * arm64 debug.far of a BRK that follows it).  A kept byte that the new exit
 * does not write is zeroed; MAYBE keeps it (fail open).  Exits absent here
 * are not described: their kept bytes stay.
 *
 * Every row names its row in docs/abi-ledger.md.
 */
#include <pthread.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "exits.h"
#include "kver.h"
#include "layout.h"

#define X86   KVMRUN_COMPAT_ARCH_X86_64
#define ARM64 KVMRUN_COMPAT_ARCH_ARM64
#define RISCV KVMRUN_COMPAT_ARCH_RISCV64
#define S390  KVMRUN_COMPAT_ARCH_S390X

#define IN(a, e, c, o, l, w, row) { .arch = a, .exit_reason = e, .cond = c, .off = o, .len = l, .what = w, .ledger = row }
#define W(a, e, c, o, l, row)     { .arch = a, .exit_reason = e, .cond = c, .off = o, .len = l, .ledger = row }
#define WC(a, e, c, o, l, at_, arg_, row) \
	{ .arch = a, .exit_reason = e, .cond = c, .off = o, .len = l, .at = at_, .arg = arg_, .ledger = row }

const struct kvmrc_input kvmrc_inputs[] = {
	/* x86_64: complete_userspace_io callbacks (x86.c, hyperv.c, xen.c, sev.c,
	 * tdx.c).  KVM_EXIT_IO has none: pio data is read from the PIO page. */
	IN(X86, KVM_EXIT_MMIO, KVMRC_IN_MMIO_READ, L_MMIO_DATA, 8, "mmio.data[0, len) of a read (complete_emulated_mmio)", "I1"),
	IN(X86, KVM_EXIT_HYPERCALL, KVMRC_IN_ALWAYS, L_HYPERCALL_RET, 8, "hypercall.ret (complete_hypercall_exit)", "I2"),
	IN(X86, KVM_EXIT_X86_RDMSR, KVMRC_IN_ALWAYS, L_U, 1, "msr.error (complete_emulated_rdmsr)", "I3"),
	IN(X86, KVM_EXIT_X86_RDMSR, KVMRC_IN_ALWAYS, L_U + 16, 8, "msr.data (complete_emulated_rdmsr)", "I3"),
	IN(X86, KVM_EXIT_X86_WRMSR, KVMRC_IN_ALWAYS, L_U, 1, "msr.error (complete_emulated_msr_access)", "I3"),
	IN(X86, KVM_EXIT_HYPERV, KVMRC_IN_ALWAYS, L_U + 8, 4, "hyperv syndbg.msr (kvm_hv_syndbg_complete_userspace)", "I4"),
	IN(X86, KVM_EXIT_HYPERV, KVMRC_IN_ALWAYS, L_U + 16, 16, "hyperv hcall.result, syndbg.status (kvm_hv_*_complete_userspace)", "I4"),
	IN(X86, KVM_EXIT_XEN, KVMRC_IN_ALWAYS, L_U + 24, 8, "xen.u.hcall.result (kvm_xen_hypercall_complete_userspace)", "I4"),
	IN(X86, KVM_EXIT_TDX, KVMRC_IN_ALWAYS, L_U + 16, 8, "tdx ret (tdx_complete_*)", "I5"),
	IN(X86, KVM_EXIT_TDX, KVMRC_IN_ALWAYS, L_U + 32, 32, "tdx get_tdvmcall_info r11..r14 (tdx_complete_get_td_vm_call_info)", "I5"),
	IN(X86, KVM_EXIT_SNP_REQ_CERTS, KVMRC_IN_ALWAYS, L_U + 8, 16, "snp_req_certs npages, ret (snp_complete_req_certs)", "I5"),
	/* arm64: kvm_handle_mmio_return (mmio.c, 5.10+: direction and size from the ESR) */
	IN(ARM64, KVM_EXIT_MMIO, KVMRC_IN_MMIO_READ, L_MMIO_DATA, 8, "mmio.data[0, len) of a read (kvm_handle_mmio_return)", "I1"),
	/* riscv64: kvm_riscv_vcpu_mmio_return, _sbi_return, _csr_return */
	IN(RISCV, KVM_EXIT_MMIO, KVMRC_IN_MMIO_RISCV, L_MMIO_DATA, 8, "mmio.data[0, len) of a read (kvm_riscv_vcpu_mmio_return)", "I1"),
	IN(RISCV, KVM_EXIT_MMIO, KVMRC_IN_MMIO_RISCV, L_MMIO_IS_WRITE, 1, "mmio.is_write, read or write (kvm_riscv_vcpu_mmio_return)", "I1"),
	IN(RISCV, KVM_EXIT_RISCV_SBI, KVMRC_IN_ALWAYS, L_RISCV_SBI_RET, 16, "riscv_sbi.ret[2] (kvm_riscv_vcpu_sbi_return)", "I6"),
	IN(RISCV, KVM_EXIT_RISCV_CSR, KVMRC_IN_ALWAYS, L_RISCV_CSR_RET, 8, "riscv_csr.ret_value (kvm_riscv_vcpu_csr_return)", "I6"),
	/* s390x reads no exit union byte back (kvm_arch_vcpu_ioctl_run, sync_regs) */
};
const unsigned int kvmrc_input_count = sizeof(kvmrc_inputs) / sizeof(kvmrc_inputs[0]);

/* Rows of one (arch, exit) are contiguous. */
const struct kvmrc_write kvmrc_writes[] = {
	/* ---- x86_64 ---- */
	W(X86, KVM_EXIT_UNKNOWN, KVMRC_W_MAYBE, L_U, 8, "W14"),                  /* sgx: hardware_exit_reason */
	W(X86, KVM_EXIT_EXCEPTION, KVMRC_W_ALWAYS, L_U, 8, "W14"),
	W(X86, KVM_EXIT_IO, KVMRC_W_ALWAYS, L_U, 16, "W1"),
	W(X86, KVM_EXIT_HYPERCALL, KVMRC_W_ALWAYS, L_U, 32, "W2"),               /* nr, args[0..2] */
	WC(X86, KVM_EXIT_HYPERCALL, KVMRC_W_FACT, L_HYPERCALL_RET, 8, 0, KVMRC_FACT_X86_HYPERCALL_RET_ZERO, "W2"),
	W(X86, KVM_EXIT_HYPERCALL, KVMRC_W_MAYBE, L_HYPERCALL_FLAGS, 8, "W2"),   /* longmode/flags; SNP never */
	W(X86, KVM_EXIT_DEBUG, KVMRC_W_ALWAYS, L_U, 4, "W3"),                    /* exception */
	W(X86, KVM_EXIT_DEBUG, KVMRC_W_ALWAYS, L_U + 8, 8, "W3"),                /* pc */
	W(X86, KVM_EXIT_DEBUG, KVMRC_W_MAYBE, L_DEBUG_X86_DR6, 16, "W3"),        /* dr6, dr7: per path */
	W(X86, KVM_EXIT_MMIO, KVMRC_W_ALWAYS, L_U, 8, "W4"),                     /* phys_addr */
	W(X86, KVM_EXIT_MMIO, KVMRC_W_MMIO_DATA, L_MMIO_DATA, 8, "W4"),
	W(X86, KVM_EXIT_MMIO, KVMRC_W_ALWAYS, L_MMIO_LEN, 5, "W4"),              /* len, is_write */
	W(X86, KVM_EXIT_FAIL_ENTRY, KVMRC_W_ALWAYS, L_FAIL_ENTRY_REASON, 8, "W5"),
	WC(X86, KVM_EXIT_FAIL_ENTRY, KVMRC_W_CAP, L_FAIL_ENTRY_CPU, 4, 0, KVM_CAP_X86_USER_SPACE_MSR, "W5"),
	W(X86, KVM_EXIT_TPR_ACCESS, KVMRC_W_ALWAYS, L_U, 12, "W6"),
	W(X86, KVM_EXIT_INTERNAL_ERROR, KVMRC_W_ALWAYS, L_U, 8, "W7"),
	WC(X86, KVM_EXIT_INTERNAL_ERROR, KVMRC_W_NDATA, L_INTERNAL_DATA, 128, L_INTERNAL_NDATA, 0, "W7"),
	W(X86, KVM_EXIT_SYSTEM_EVENT, KVMRC_W_ALWAYS, L_U, 4, "W8"),
	W(X86, KVM_EXIT_SYSTEM_EVENT, KVMRC_W_MAYBE, L_SYSTEM_EVENT_NDATA, 4, "W8"),
	WC(X86, KVM_EXIT_SYSTEM_EVENT, KVMRC_W_NDATA, L_SYSTEM_EVENT_DATA, 128, L_SYSTEM_EVENT_NDATA, 0, "W8"),
	W(X86, KVM_EXIT_IOAPIC_EOI, KVMRC_W_ALWAYS, L_U, 1, "W14"),
	W(X86, KVM_EXIT_HYPERV, KVMRC_W_MAYBE, L_U, 56, "W9"),                   /* per type */
	W(X86, KVM_EXIT_X86_RDMSR, KVMRC_W_ALWAYS, L_U, 24, "W10"),
	W(X86, KVM_EXIT_X86_WRMSR, KVMRC_W_ALWAYS, L_U, 24, "W10"),
	W(X86, KVM_EXIT_XEN, KVMRC_W_ALWAYS, L_U, 4, "W9"),                      /* type */
	W(X86, KVM_EXIT_XEN, KVMRC_W_ALWAYS, L_U + 8, 16, "W9"),                 /* longmode, cpl, input */
	W(X86, KVM_EXIT_XEN, KVMRC_W_ALWAYS, L_U + 32, 48, "W9"),                /* params; not result */
	W(X86, KVM_EXIT_NOTIFY, KVMRC_W_ALWAYS, L_U, 4, "W11"),
	W(X86, KVM_EXIT_MEMORY_FAULT, KVMRC_W_ALWAYS, L_U, 24, "W12"),
	W(X86, KVM_EXIT_TDX, KVMRC_W_ALWAYS, L_U, 24, "W13"),                    /* flags, nr, ret */
	W(X86, KVM_EXIT_TDX, KVMRC_W_MAYBE, L_U + 24, 40, "W13"),                /* per nr */
	W(X86, KVM_EXIT_SNP_REQ_CERTS, KVMRC_W_ALWAYS, L_U, 24, "W13"),

	/* ---- arm64 ---- */
	W(ARM64, KVM_EXIT_HYPERCALL, KVMRC_W_ALWAYS, L_U, 72, "W20"),            /* compound literal */
	W(ARM64, KVM_EXIT_DEBUG, KVMRC_W_ALWAYS, L_U, 4, "W21"),                 /* hsr */
	WC(ARM64, KVM_EXIT_DEBUG, KVMRC_W_FLAG, L_DEBUG_ARM64_HSR_HIGH, 4, 0, KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID, "W21"),
	WC(ARM64, KVM_EXIT_DEBUG, KVMRC_W_ESR_EC, L_DEBUG_ARM64_FAR, 8, L_U, KVMRC_ESR_EC_WATCHPT_LOW, "W21"),
	W(ARM64, KVM_EXIT_MMIO, KVMRC_W_ALWAYS, L_U, 8, "W4"),
	W(ARM64, KVM_EXIT_MMIO, KVMRC_W_MMIO_DATA, L_MMIO_DATA, 8, "W4"),
	W(ARM64, KVM_EXIT_MMIO, KVMRC_W_ALWAYS, L_MMIO_LEN, 5, "W4"),
	WC(ARM64, KVM_EXIT_FAIL_ENTRY, KVMRC_W_U64_EQ, L_FAIL_ENTRY_REASON, 12, L_FAIL_ENTRY_REASON,
	   (uint32_t)KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED, "W22"),
	W(ARM64, KVM_EXIT_SYSTEM_EVENT, KVMRC_W_ALWAYS, L_U, 16, "W23"),         /* memset of system_event */
	WC(ARM64, KVM_EXIT_SYSTEM_EVENT, KVMRC_W_CAP, L_U + 16, 120, 0, KVM_CAP_SYSTEM_EVENT_DATA, "W23"),
	W(ARM64, KVM_EXIT_ARM_NISV, KVMRC_W_ALWAYS, L_U, 16, "W24"),
	W(ARM64, KVM_EXIT_MEMORY_FAULT, KVMRC_W_ALWAYS, L_U, 24, "W12"),
	W(ARM64, KVM_EXIT_ARM_SEA, KVMRC_W_ALWAYS, L_U, 32, "W25"),
	W(ARM64, KVM_EXIT_ARM_LDST64B, KVMRC_W_ALWAYS, L_U, 16, "W24"),

	/* ---- riscv64 ---- */
	W(RISCV, KVM_EXIT_MMIO, KVMRC_W_ALWAYS, L_U, 8, "W4"),
	W(RISCV, KVM_EXIT_MMIO, KVMRC_W_MMIO_DATA, L_MMIO_DATA, 8, "W4"),
	W(RISCV, KVM_EXIT_MMIO, KVMRC_W_ALWAYS, L_MMIO_LEN, 5, "W4"),
	W(RISCV, KVM_EXIT_FAIL_ENTRY, KVMRC_W_ALWAYS, L_U, 12, "W22"),
	W(RISCV, KVM_EXIT_SYSTEM_EVENT, KVMRC_W_ALWAYS, L_U, 136, "W23"),        /* memset of system_event */
	W(RISCV, KVM_EXIT_RISCV_SBI, KVMRC_W_ALWAYS, L_U, 80, "W26"),            /* ids, args, ret[2] */
	W(RISCV, KVM_EXIT_RISCV_CSR, KVMRC_W_ALWAYS, L_U, 32, "W26"),
};
const unsigned int kvmrc_write_count = sizeof(kvmrc_writes) / sizeof(kvmrc_writes[0]);

struct kvmrc_exit_desc kvmrc_exit_index[KVMRC_NARCH][KVMRC_MAX_EXIT];
static pthread_once_t exits_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
	/* Every exit reason the uapi defines through 7.1 is described: those
	 * without a row read no input back and write nothing a pending input
	 * could occupy. */
	for (unsigned int a = 1; a < KVMRC_NARCH; a++)
		for (unsigned int e = 0; e <= KVMRC_LAST_KNOWN_EXIT; e++)
			kvmrc_exit_index[a][e].known = 1;
	for (unsigned int i = 0; i < kvmrc_input_count; i++) {
		const struct kvmrc_input *in = &kvmrc_inputs[i];
		struct kvmrc_exit_desc *d = &kvmrc_exit_index[in->arch][in->exit_reason];
		unsigned int uoff = kvmrc_union_off(in->arch), end = in->off + in->len;
		if (d->in_len) { /* another row of the same exit: span both */
			unsigned int old_end = d->in_off + d->in_len;
			d->in_off = in->off < d->in_off ? in->off : d->in_off;
			d->in_len = (uint16_t)((end > old_end ? end : old_end) - d->in_off);
		} else {
			d->in_off = in->off;
			d->in_len = in->len;
		}
		d->in_cond = in->cond;
		for (unsigned int b = in->off; b < end; b++)
			d->in_mask[(b - uoff) / 8] |= (uint8_t)(1u << ((b - uoff) % 8));
	}
	/* arm64 before 5.6 reads mmio.len and is_write back as well (I1) */
	kvmrc_kver_init();
	if (!kvmrc_kver_has(kvmrc_kver, KVMRC_FACT_ARM64_MMIO_FROM_ESR)) {
		struct kvmrc_exit_desc *d = &kvmrc_exit_index[ARM64][KVM_EXIT_MMIO];
		d->in_cond = KVMRC_IN_MMIO_ALL;
	}
	for (unsigned int a = 0; a < KVMRC_NARCH; a++)
		for (unsigned int e = 0; e < KVMRC_MAX_EXIT; e++) {
			struct kvmrc_exit_desc *d = &kvmrc_exit_index[a][e];
			/* same encoding as scrub.h KVMRC_PEND / KVMRC_PEND_UNKNOWN */
			int holes = 0;
			for (unsigned int b = d->in_off; b < (unsigned int)d->in_off + d->in_len; b++)
				holes |= !((d->in_mask[(b - kvmrc_union_off(a)) / 8] >> ((b - kvmrc_union_off(a)) % 8)) & 1);
			d->pend = !d->known ? (1u << 31)
					    : (uint32_t)d->in_off | ((uint32_t)d->in_len << 16) | (holes ? 1u << 30 : 0);
		}
	for (unsigned int i = 0; i < kvmrc_write_count; i++) {
		const struct kvmrc_write *w = &kvmrc_writes[i];
		struct kvmrc_exit_desc *d = &kvmrc_exit_index[w->arch][w->exit_reason];
		if (d->w_count == 0)
			d->w_first = (uint8_t)i;
		d->w_count = (uint8_t)(i - d->w_first + 1);
		unsigned int uoff = kvmrc_union_off(w->arch);
		if (w->cond != KVMRC_W_ALWAYS && w->cond != KVMRC_W_MAYBE) {
			d->w_cond++;
			continue;
		}
		for (unsigned int b = w->off; b < (unsigned int)w->off + w->len; b++)
			if (b >= uoff && b < uoff + KVMRC_UNION_SIZE)
				d->w_always[(b - uoff) / 64] |= 1ull << ((b - uoff) % 64);
	}
}

void kvmrc_exits_init(void)
{
	pthread_once(&exits_once, build_index);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-riscv.c - KVM_RUN as riscv64 kernels do it.
 *
 * Source read: v6.1 (Debian linux-source-6.1 6.1.192) arch/riscv/kvm/vcpu.c
 * kvm_arch_vcpu_ioctl_run, vcpu_sbi.c kvm_riscv_vcpu_sbi_forward /
 * kvm_riscv_vcpu_sbi_return / kvm_riscv_vcpu_sbi_system_reset, vcpu_insn.c
 * csr_insn / kvm_riscv_vcpu_csr_return / kvm_riscv_vcpu_mmio_load,store /
 * kvm_riscv_vcpu_mmio_return (6.12 identical for every byte written here).
 * The SBI forward path copies the guest's a0/a1 into riscv_sbi.ret[] before
 * 6.12 (6b7b282e6bae, as the ledger's source check of 6.1 vs 6.12 reports;
 * the 6.1 text above was re-read for the other bytes only).
 * riscv never writes kvm_run->flags; the completion of the previous exit is
 * chosen by run->exit_reason, which makes it an input.
 */
#include <string.h>
#include "emu.h"

#define SBI_ERR_NOT_SUPPORTED (-2L)

/* vcpu_sbi.c kvm_riscv_vcpu_sbi_system_reset: memset(&run->system_event),
 * type, ndata = 1, data[0] = reason, exit_reason */
static void srst_exit(struct kvm_run *r, uint32_t type, uint64_t reason)
{
	memset((unsigned char *)r + KVMRC_RUN_UNION_OFFSET, 0, 136);
	r->system_event.type = type;
	r->system_event.ndata = 1;
	r->system_event.data[0] = reason;
	r->exit_reason = KVM_EXIT_SYSTEM_EVENT;
}

static int produce(struct emu_obj *o, struct kvm_run *r, const struct emu_step *st)
{
	struct emu_vcpu *v = &o->vcpu;

	if (!st) {
		/* scenario exhausted: the guest calls SBI SRST shutdown */
		srst_exit(r, KVM_SYSTEM_EVENT_SHUTDOWN, 0);
		return 0;
	}
	switch (st->kind) {
	case EK_MMIO:
		/* vcpu_insn.c kvm_riscv_vcpu_mmio_store/load: is_write,
		 * phys_addr, len; stores copy len bytes; exit_reason */
		r->mmio.is_write = (uint8_t)st->write;
		r->mmio.phys_addr = st->addr;
		r->mmio.len = st->len;
		if (st->write)
			memcpy(r->mmio.data, &st->data, st->len);
		r->exit_reason = KVM_EXIT_MMIO;
		v->mmio_needed = 1;
		v->mmio_is_write = (int)st->write;
		v->mmio_len = st->len;
		v->pending = EP_MMIO;
		return 0;
	case EK_SBI:
		/* vcpu_sbi.c kvm_riscv_vcpu_sbi_forward */
		r->exit_reason = KVM_EXIT_RISCV_SBI;
		r->riscv_sbi.extension_id = st->ext;
		r->riscv_sbi.function_id = st->fid;
		for (int i = 0; i < 6; i++)
			r->riscv_sbi.args[i] = i < 3 ? st->args[i] : 0;
		/* before 6.12 (6b7b282e6bae) the forward path copies the
		 * guest's a0/a1 into ret[]; 6.12 writes NOT_SUPPORTED, 0 */
		if (o->sys->prof->kver >= KV(6, 12)) {
			r->riscv_sbi.ret[0] = (unsigned long)SBI_ERR_NOT_SUPPORTED;
			r->riscv_sbi.ret[1] = 0;
		} else {
			r->riscv_sbi.ret[0] = st->args[0];
			r->riscv_sbi.ret[1] = st->args[1];
		}
		v->pending = EP_SBI;
		return 0;
	case EK_CSR:
		/* vcpu_insn.c csr_insn: csr_num, new_value, write_mask,
		 * ret_value = 0, exit_reason */
		r->riscv_csr.csr_num = st->csr;
		r->riscv_csr.new_value = st->data;
		r->riscv_csr.write_mask = st->mask;
		r->riscv_csr.ret_value = 0;
		r->exit_reason = KVM_EXIT_RISCV_CSR;
		v->pending = EP_CSR;
		return 0;
	case EK_SYSTEM_EVENT:
		srst_exit(r, st->type, st->data);
		return 0;
	case EK_EFAULT:
		/* vcpu_exit.c gstage_page_fault: an unresolvable fault */
		return -EFAULT;
	default:
		return -EINVAL;	/* not produced by riscv (the parser refuses it) */
	}
}

/* kvm_arch_vcpu_ioctl_run's switch (run->exit_reason): the completions */
static void complete(struct emu_obj *o, struct kvm_run *r)
{
	struct emu_vcpu *v = &o->vcpu;
	uint64_t val = 0;

	switch (r->exit_reason) {
	case KVM_EXIT_MMIO:	/* kvm_riscv_vcpu_mmio_return */
		if (v->pending == EP_MMIO && !v->mmio_is_write) {
			memcpy(&val, r->mmio.data, v->mmio_len);
			emu_log(o->sys, "readback vcpu=%u mmio.len=%u mmio.data=0x%llx",
				v->id, v->mmio_len, (unsigned long long)val);
		}
		break;
	case KVM_EXIT_RISCV_SBI:	/* cp->a0 = ret[0]; cp->a1 = ret[1] */
		if (v->pending == EP_SBI)
			emu_log(o->sys, "readback vcpu=%u sbi.ret0=0x%lx sbi.ret1=0x%lx", v->id,
				(unsigned long)r->riscv_sbi.ret[0], (unsigned long)r->riscv_sbi.ret[1]);
		break;
	case KVM_EXIT_RISCV_CSR:	/* SET_RD(insn, ..., run->riscv_csr.ret_value) */
		if (v->pending == EP_CSR)
			emu_log(o->sys, "readback vcpu=%u csr.ret_value=0x%lx", v->id,
				(unsigned long)r->riscv_csr.ret_value);
		break;
	default:
		break;
	}
	v->pending = EP_NONE;	/* return_handled = 1 */
}

/* vcpu.c kvm_arch_vcpu_ioctl_run: the completion of the previous exit,
 * then if (!vcpu->wants_to_run) return -EINTR (immediate_exit) */
static int riscv_enter(struct emu_obj *o, struct kvm_run *r)
{
	complete(o, r);
	return 0;
}

static int riscv_start(struct emu_obj *o, struct kvm_run *r)
{
	(void)o;
	r->exit_reason = KVM_EXIT_UNKNOWN;
	return 0;
}

const struct emu_arch_ops emu_riscv_ops = {
	.arch = EMU_RISCV64,
	.vm_type_mask = ~0xfful,	/* not modelled beyond arm64's rule */
	.vm_unknown_errno = EINVAL,
	.enter = riscv_enter,
	.start = riscv_start,
	.produce = produce,
};

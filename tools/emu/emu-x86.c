/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-x86.c - KVM_RUN as x86_64 (VMX) kernels do it, per kernel version.
 *
 * Sources read: v6.1 and v6.12 arch/x86/kvm/x86.c (kvm_arch_vcpu_ioctl_run,
 * post_kvm_run_save, emulator_pio_in_out, emulator_read_write,
 * complete_emulated_{mmio,pio}, kvm_emulate_hypercall, vcpu_enter_guest
 * Hyper-V requests) and vmx/vmx.c (handle_exception_nmi, __vmx_handle_exit,
 * handle_triple_fault, the DELIVERY_EV internal error), x86.c
 * kvm_vcpu_do_singlestep, kvm_host.h kvm_prepare_memory_fault_exit and
 * mmu.c kvm_handle_error_pfn (6.12).  fail_entry.cpu and the CPU appended to
 * internal.data[] date from 1aa561b1a4c0 (5.9, read as the posted patch and
 * the 5.9 pull).  5.10 differences are from the research notes and are
 * listed in the report as not verified against 5.10 source where so.
 */
#include <stddef.h>
#include <string.h>
#include "emu.h"

/* offset of rflags in x86's struct kvm_regs (rax..r15, rip, rflags); a number
 * because other build architectures' headers do not have that struct */
#define X86_REGS_RFLAGS (17 * 8)
#ifdef __x86_64__
_Static_assert(offsetof(struct kvm_regs, rflags) == X86_REGS_RFLAGS, "kvm_regs.rflags");
#endif

#define DB_VECTOR 1
#define BP_VECTOR 3
#define DR6_ACTIVE_LOW 0xffff0ff0ull	/* 5.10: DR6_FIXED_1 | DR6_RTM, same value */
#define APIC_DEFAULT_BASE 0xfee00000ull
#define MSR_IA32_APICBASE_BSP (1ull << 8)
#define MSR_IA32_APICBASE_ENABLE (1ull << 11)

static struct kvmrc_x86_debug_exit_arch *xdbg(struct kvm_run *r)
{
	return (void *)((unsigned char *)r + KVMRC_RUN_UNION_OFFSET);
}

/* x86.c emulator_pio_in_out, userspace_io: path */
static void io_exit(struct emu_obj *o, struct kvm_run *r, const struct emu_step *st)
{
	struct emu_vcpu *v = &o->vcpu;
	unsigned char *pio = v->run + EMU_PAGE;	/* KVM_PIO_PAGE_OFFSET */
	size_t n = (size_t)st->size * st->count;

	if (st->in) {
		/* 6.1+: memset(vcpu->arch.pio_data, 0, size * count) */
		if (o->sys->prof->kver >= KV(6, 1))
			memset(pio, 0, n);
	} else {
		for (uint32_t i = 0; i < st->count; i++)
			memcpy(pio + (size_t)i * st->size, &st->data, st->size);
	}
	r->exit_reason = KVM_EXIT_IO;
	r->io.direction = st->in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	r->io.size = (uint8_t)st->size;
	r->io.data_offset = EMU_PAGE;
	r->io.count = st->count;
	r->io.port = (uint16_t)st->port;
	v->pending = st->in ? EP_PIO_IN : EP_PIO_OUT;
	v->pio_size = st->size;
	v->pio_count = st->count;
}

/* x86.c emulator_read_write: mmio.len = min(8, len); mmio.is_write;
 * exit_reason = MMIO; mmio.phys_addr; writes copy min(8, len) data bytes */
static void mmio_exit(struct emu_vcpu *v, struct kvm_run *r, const struct emu_step *st)
{
	r->mmio.len = st->len;
	r->mmio.is_write = (uint8_t)st->write;
	r->exit_reason = KVM_EXIT_MMIO;
	r->mmio.phys_addr = st->addr;
	if (st->write)
		memcpy(r->mmio.data, &st->data, st->len);
	v->mmio_is_write = (int)st->write;
	v->mmio_len = st->len;
	v->pending = EP_MMIO;
}

static int produce(struct emu_obj *o, struct kvm_run *r, const struct emu_step *st)
{
	const struct emu_profile *p = o->sys->prof;
	struct emu_vcpu *v = &o->vcpu;

	if (!st) {
		/* vmx.c handle_triple_fault: exit_reason only */
		r->exit_reason = KVM_EXIT_SHUTDOWN;
		return 0;
	}
	switch (st->kind) {
	case EK_IO:
		io_exit(o, r, st);
		return 0;
	case EK_MMIO:
		mmio_exit(v, r, st);
		return 0;
	case EK_DEBUG_DB:
		/* vmx.c handle_exception_nmi, case DB_VECTOR then falls into
		 * BP_VECTOR: dr6, dr7, exit_reason, pc, exception */
		xdbg(r)->dr6 = (st->dr6 ? st->dr6 : 0x4000) | DR6_ACTIVE_LOW;
		xdbg(r)->dr7 = st->dr7 ? st->dr7 : 0x400;
		/* fall through */
	case EK_DEBUG_BP:
		/* case BP_VECTOR: exit_reason, pc, exception; dr6/dr7 and
		 * pad are not written */
		r->exit_reason = KVM_EXIT_DEBUG;
		xdbg(r)->pc = st->pc;
		xdbg(r)->exception = st->kind == EK_DEBUG_DB ? DB_VECTOR : BP_VECTOR;
		return 0;
	case EK_HYPERCALL: {
		/* x86.c kvm_emulate_hypercall, KVM_HC_MAP_GPA_RANGE: nr,
		 * args[0..2]; <6.4 hypercall.longmode (u32), 6.4+ flags (u64);
		 * hypercall.ret is NOT written (it is an input) */
		unsigned char *lm = (unsigned char *)&r->hypercall.longmode;
		r->exit_reason = KVM_EXIT_HYPERCALL;
		r->hypercall.nr = st->nr;
		r->hypercall.args[0] = st->args[0];
		r->hypercall.args[1] = st->args[1];
		r->hypercall.args[2] = st->args[2];
		if (p->kver >= KV(6, 4)) {
			uint64_t flags = st->longmode ? 1 : 0;	/* KVM_EXIT_HYPERCALL_LONG_MODE */
			memcpy(lm, &flags, sizeof(flags));
		} else {
			uint32_t longmode = st->longmode;
			memcpy(lm, &longmode, sizeof(longmode));
		}
		v->pending = EP_HYPERCALL;
		return 0;
	}
	case EK_HYPERV_CRASH:
	case EK_SYSTEM_EVENT:
		/* x86.c vcpu_enter_guest, KVM_REQ_HV_CRASH / KVM_REQ_HV_RESET:
		 * exit_reason, system_event.type; 5.18+ also ndata = 0.
		 * No memset: flags/data stay stale. */
		r->exit_reason = KVM_EXIT_SYSTEM_EVENT;
		r->system_event.type = st->kind == EK_HYPERV_CRASH ? KVM_SYSTEM_EVENT_CRASH : st->type;
		if (p->kver >= KV(5, 18))
			r->system_event.ndata = 0;
		return 0;
	case EK_FAIL_ENTRY:
		/* vmx.c __vmx_handle_exit: exit_reason,
		 * hardware_entry_failure_reason; 5.9+ also cpu =
		 * last_vmentry_cpu (1aa561b1a4c0) */
		r->exit_reason = KVM_EXIT_FAIL_ENTRY;
		r->fail_entry.hardware_entry_failure_reason = st->reason;
		if (p->kver >= KV(5, 9))
			r->fail_entry.cpu = st->cpu;
		return 0;
	case EK_INTERNAL_ERROR: {
		/* vmx.c __vmx_handle_exit, event delivery caused an exit:
		 * suberror DELIVERY_EV, data[0] vectoring info, [1] exit
		 * reason, [2] exit qualification, ndata = 3; 5.9+ appends
		 * last_vmentry_cpu (1aa561b1a4c0: data[ndata++], ndata 4) */
		uint32_t ndata = 3;
		r->exit_reason = KVM_EXIT_INTERNAL_ERROR;
		r->internal.suberror = KVM_INTERNAL_ERROR_DELIVERY_EV;
		r->internal.data[0] = 0x80000b0eull;	/* valid, hw exception, #PF */
		r->internal.data[1] = st->reason;
		r->internal.data[2] = 0;
		if (p->kver >= KV(5, 9))
			r->internal.data[ndata++] = st->cpu;
		r->internal.ndata = ndata;
		return 0;
	}
	case EK_HLT:
		/* x86.c kvm_emulate_halt / __kvm_emulate_halt, no in-kernel
		 * LAPIC: exit_reason only */
		r->exit_reason = KVM_EXIT_HLT;
		return 0;
	case EK_RDMSR:
	case EK_WRMSR: {
		/* x86.c kvm_msr_user_space (5.10+): exit_reason, msr.error = 0,
		 * memset(msr.pad), reason, index, data (0 for a read) */
		unsigned char *u = (unsigned char *)r + KVMRC_RUN_UNION_OFFSET;
		uint32_t reason = (uint32_t)st->reason, index = st->index;
		uint64_t data = st->kind == EK_WRMSR ? st->data : 0;
		r->exit_reason = st->kind == EK_RDMSR ? KVM_EXIT_X86_RDMSR : KVM_EXIT_X86_WRMSR;
		memset(u, 0, 8);			/* error, pad[7] */
		memcpy(u + 8, &reason, 4);
		memcpy(u + 12, &index, 4);
		memcpy(u + 16, &data, 8);
		v->pending = st->kind == EK_RDMSR ? EP_RDMSR : EP_WRMSR;
		return 0;
	}
	case EK_SINGLESTEP:
		/* x86.c kvm_vcpu_do_singlestep: dr6 = DR6_BS | DR6_ACTIVE_LOW,
		 * pc, exception = DB_VECTOR, exit_reason; dr7 NOT written */
		xdbg(r)->dr6 = 0x4000 | DR6_ACTIVE_LOW;
		xdbg(r)->pc = st->pc;
		xdbg(r)->exception = DB_VECTOR;
		r->exit_reason = KVM_EXIT_DEBUG;
		return 0;
	case EK_MEMORY_FAULT: {
		/* kvm_host.h kvm_prepare_memory_fault_exit (6.8+), then the
		 * fault handler returns -EFAULT */
		struct kvmrc_memory_fault *mf = (void *)((unsigned char *)r + KVMRC_RUN_UNION_OFFSET);
		r->exit_reason = KVM_EXIT_MEMORY_FAULT;
		mf->gpa = st->gpa;
		mf->size = st->bytes;
		mf->flags = 0;
		if (st->priv)
			mf->flags |= KVMRC_MEMORY_EXIT_FLAG_PRIVATE;
		return -EFAULT;
	}
	case EK_EFAULT:
		/* mmu.c kvm_handle_error_pfn: return -EFAULT, nothing written */
		return -EFAULT;
	default:
		r->exit_reason = KVM_EXIT_INTERNAL_ERROR;
		return 0;
	}
}

/* complete_userspace_io callbacks: what the kernel reads back */
static void complete_io(struct emu_obj *o, struct kvm_run *r)
{
	struct emu_vcpu *v = &o->vcpu;
	char hex[2 * 64 + 1];
	uint64_t val = 0;

	switch (v->pending) {
	case EP_MMIO:	/* complete_emulated_mmio: memcpy(frag->data, run->mmio.data, len) */
		if (!v->mmio_is_write) {
			memcpy(&val, r->mmio.data, v->mmio_len);
			emu_log(o->sys, "readback vcpu=%u mmio.len=%u mmio.data=0x%llx",
				v->id, v->mmio_len, (unsigned long long)val);
		}
		break;
	case EP_PIO_IN: {	/* complete_emulated_pio: reads vcpu->arch.pio_data */
		size_t n = (size_t)v->pio_size * v->pio_count;
		emu_hex(hex, sizeof(hex), v->run + EMU_PAGE, n > 64 ? 64 : n);
		emu_log(o->sys, "readback vcpu=%u pio.size=%u pio.count=%u pio.data=%s",
			v->id, v->pio_size, v->pio_count, hex);
		break;
	}
	case EP_RDMSR:	/* complete_emulated_rdmsr: msr.error, then msr.data */
	case EP_WRMSR: {	/* complete_emulated_msr_access: msr.error */
		const unsigned char *u = (const unsigned char *)r + KVMRC_RUN_UNION_OFFSET;
		uint64_t data = 0;
		if (v->pending == EP_RDMSR)
			memcpy(&data, u + 16, 8);
		emu_log(o->sys, "readback vcpu=%u msr.error=%u msr.data=0x%llx", v->id, u[0],
			(unsigned long long)data);
		break;
	}
	case EP_HYPERCALL:	/* complete_hypercall_exit: u64 ret = run->hypercall.ret */
		emu_log(o->sys, "readback vcpu=%u hypercall.ret=0x%llx", v->id,
			(unsigned long long)r->hypercall.ret);
		break;
	default:
		break;
	}
	v->pending = EP_NONE;
}

/* x86.c kvm_arch_vcpu_ioctl_run up to the immediate_exit check */
static int x86_enter(struct emu_obj *o, struct kvm_run *r)
{
	/* 5.12+: kvm_run->flags = 0 at the start of kvm_arch_vcpu_ioctl_run
	 * ("KVM: X86: Reset the vcpu->run->flags at the beginning of vcpu_run") */
	if (o->sys->prof->kver >= KV(5, 12))
		r->flags = 0;
	complete_io(o, r);	/* before the immediate_exit check, like the kernel */
	return 0;
}

static int x86_start(struct emu_obj *o, struct kvm_run *r)
{
	/* 6.12 vcpu_run: vcpu->run->exit_reason = KVM_EXIT_UNKNOWN (not in
	 * 6.1; the version between is not established, see the ledger G5) */
	if (o->sys->prof->kver >= KV(6, 12))
		r->exit_reason = KVM_EXIT_UNKNOWN;
	return 0;
}

/* post_kvm_run_save, on every return (the out: label).  if_flag is
 * RFLAGS.IF; without an in-kernel irqchip (none is modelled)
 * ready_for_interrupt_injection is kvm_vcpu_ready_for_interrupt_injection():
 * interrupts allowed (IF) and none pending (none is modelled). */
static void x86_leave(struct emu_obj *o, struct kvm_run *r)
{
	struct emu_vcpu *v = &o->vcpu;
	uint64_t rflags = 0x2;

	if (v->regs_len >= X86_REGS_RFLAGS + sizeof(rflags))
		memcpy(&rflags, v->regs + X86_REGS_RFLAGS, sizeof(rflags));
	r->if_flag = (rflags & 0x200) != 0;
	r->cr8 = 0;
	r->apic_base = APIC_DEFAULT_BASE | MSR_IA32_APICBASE_ENABLE |
		       (v->id == 0 ? MSR_IA32_APICBASE_BSP : 0);
	r->ready_for_interrupt_injection = (rflags & 0x200) != 0;
	if (o->sys->prof->kver < KV(5, 12))
		r->flags = 0;	/* kvm_run->flags = is_smm(vcpu) ? KVM_RUN_X86_SMM : 0 */
}

/* KVM_GET/SET_REGS and KVM_GET/SET_SREGS store and return the blob;
 * KVM_SET_CPUID2 (its struct exists only in x86 headers) is accepted: the
 * emulator models no CPUID-dependent behaviour. */
static int x86_vcpu_ioctl(struct emu_obj *o, unsigned long req, void *arg, int *handled)
{
	struct emu_vcpu *v = &o->vcpu;
	unsigned int nr = _IOC_NR(req);
	size_t n = _IOC_SIZE(req);
	int regs = nr == _IOC_NR(KVM_GET_REGS) || nr == _IOC_NR(KVM_SET_REGS);
	int sregs = nr == _IOC_NR(KVM_GET_SREGS) || nr == _IOC_NR(KVM_SET_SREGS);

	*handled = 0;
	if (_IOC_TYPE(req) != KVMIO)
		return 0;
	if (nr == 0x90 && _IOC_DIR(req) == _IOC_WRITE) {
		*handled = 1;
		return arg ? 0 : emu_err(EFAULT);
	}
	if (!(regs && n > 0 && n <= sizeof(v->regs)) && !(sregs && n > 0 && n <= sizeof(v->sregs)))
		return 0;
	*handled = 1;
	if (!arg)
		return emu_err(EFAULT);
	pthread_mutex_lock(&v->lock);
	if (regs && nr == _IOC_NR(KVM_SET_REGS)) {
		memcpy(v->regs, arg, n);
		v->regs_len = n;
	} else if (regs) {
		memcpy(arg, v->regs, n);
	} else if (nr == _IOC_NR(KVM_SET_SREGS)) {
		memcpy(v->sregs, arg, n);
	} else {
		memcpy(arg, v->sregs, n);
	}
	pthread_mutex_unlock(&v->lock);
	return 0;
}

const struct emu_arch_ops emu_x86_ops = {
	.arch = EMU_X86_64,
	.vm_type_mask = ~0ul,		/* KVM_X86_DEFAULT_VM (0) only */
	.vm_unknown_errno = ENOTTY,	/* kvm_arch_vm_ioctl: -ENOTTY */
	.enter = x86_enter,
	.start = x86_start,
	.produce = produce,
	.leave = x86_leave,
	.vcpu_ioctl = x86_vcpu_ioctl,
};

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-arm64.c - KVM_RUN as arm64 kernels do it, per kernel version.
 *
 * Each writer stores exactly the struct kvm_run bytes the cited kernel code
 * stores; nothing is cleared unless that kernel clears it, so bytes left by
 * an earlier exit (or by the VMM) stay, as they do on real hardware.
 *
 * Sources read (see the report for how each was verified):
 *  - v5.10 arch/arm64/kvm/arm.c kvm_arch_vcpu_ioctl_run, handle_exit.c,
 *    mmio.c io_mem_abort / kvm_handle_mmio_return, psci.c
 *  - v6.1 and v6.12 (Debian linux-source-6.1 6.1.192, linux-source-6.12
 *    6.12.117) the same functions; 6.12 hypercalls.c
 *    kvm_prepare_hypercall_exit (SMCCC filter, 6.4) and mmio.c NISV exit.
 *  - 6.19 mmu.c kvm_handle_guest_sea, read as the merged patch ("KVM: arm64:
 *    VM exit to userspace to handle SEA", Jiaqi Yan / Oliver Upton).
 */
#include <string.h>
#include "emu.h"

#define ESR_IL (1u << 25)
#define PSR_AA32_MODE_USR KVMRC_ARM64_PSTATE_MODE_USR	/* AArch32 EL0 */

/* struct kvm_run.system_event size: {u32 type; u64 flags} = 16 bytes until
 * 5.18, {u32 type; u32 ndata; u64 data[16]} = 136 bytes from 5.18
 * (d495f942f40a "KVM: fix bad user ABI for KVM_EXIT_SYSTEM_EVENT"). */
#define SYSEVT_SIZE_OLD 16u
#define SYSEVT_SIZE_NEW 136u

static struct kvmrc_arm64_debug_exit_arch *dbg(struct kvm_run *r)
{
	return (void *)((unsigned char *)r + KVMRC_RUN_UNION_OFFSET);
}

/*
 * psci.c kvm_prepare_system_event (PSCI SYSTEM_OFF / SYSTEM_RESET):
 *   memset(&run->system_event, 0, sizeof(run->system_event));
 *   type = type;  [5.17: flags = flags]  [5.18+: ndata = 1; data[0] = flags]
 *   exit_reason = KVM_EXIT_SYSTEM_EVENT;
 * The memset covers the struct as that kernel's header defines it.
 */
static void psci_system_event(const struct emu_profile *p, struct kvm_run *r,
			      uint32_t type, uint64_t flags)
{
	unsigned char *u = (unsigned char *)r + KVMRC_RUN_UNION_OFFSET;

	if (p->kver >= KV(5, 18)) {
		memset(u, 0, SYSEVT_SIZE_NEW);
		r->system_event.type = type;
		r->system_event.ndata = 1;
		r->system_event.data[0] = flags;
	} else {
		memset(u, 0, SYSEVT_SIZE_OLD);
		r->system_event.type = type;
		if (p->kver >= KV(5, 17))	/* PSCI SYSTEM_RESET2 flags */
			memcpy(u + 8, &flags, sizeof(flags));
	}
	r->exit_reason = KVM_EXIT_SYSTEM_EVENT;
}

/* mmio.c io_mem_abort, user-space exit path (identical in 5.10 and 6.x):
 *   mmio.is_write, mmio.phys_addr, mmio.len; mmio_needed = 1;
 *   if (is_write) memcpy(mmio.data, data_buf, len);  exit_reason = MMIO */
static void mmio_exit(struct emu_vcpu *v, struct kvm_run *r, const struct emu_step *st)
{
	r->mmio.is_write = (uint8_t)st->write;
	r->mmio.phys_addr = st->addr;
	r->mmio.len = st->len;
	v->mmio_needed = 1;
	v->mmio_is_write = (int)st->write;
	v->mmio_len = st->len;
	/* the data abort's FAR_EL2, captured by __populate_fault_info (the
	 * guests here run with the MMU off: the VA is the IPA) */
	v->fault_far = st->addr;
	if (st->write)
		memcpy(r->mmio.data, &st->data, st->len);	/* little-endian */
	r->exit_reason = KVM_EXIT_MMIO;
}

/*
 * handle_exit.c kvm_handle_guest_debug:
 *  <5.19: u32 esr = kvm_vcpu_get_esr(); exit_reason = DEBUG; hsr = esr;
 *         far only for ESR_ELx_EC_WATCHPT_LOW; run->flags untouched.
 *  5.19+: hsr = lower_32_bits(esr); hsr_high = upper_32_bits(esr);
 *         run->flags = KVM_DEBUG_ARCH_HSR_HIGH_VALID (assignment);
 *         far only for ESR_ELx_EC_WATCHPT_LOW.  (18f3976fdb5d)
 */
static void debug_exit(const struct emu_profile *p, struct emu_vcpu *v, struct kvm_run *r,
		       const struct emu_step *st)
{
	uint32_t lo = (st->ec << KVMRC_ESR_EC_SHIFT) | ESR_IL | st->iss;

	r->exit_reason = KVM_EXIT_DEBUG;
	dbg(r)->hsr = lo;
	if (p->kver >= KV(5, 19)) {
		dbg(r)->hsr_high = (uint32_t)st->esr_high;
		r->flags = KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID;
	}
	/* far = vcpu->arch.fault.far_el2.  Before 811154e234db (6.4; 6.1.y
	 * from 6.1.33, which the arm64-6.1 profile models: Debian's 6.1) the
	 * hyp code captures the fault info for data/instruction aborts only,
	 * so a watchpoint reports the previous abort's FAR (measured on Debian
	 * 5.10 by tests/realkvm watch-after-mmio). */
	if (st->ec == KVMRC_ESR_EC_WATCHPT_LOW)
		dbg(r)->far = p->kver >= KV(6, 1) ? st->far : v->fault_far;
}

/* Returns the kernel's return value (0 or -errno). */
static int produce(struct emu_obj *o, struct kvm_run *r, const struct emu_step *st)
{
	const struct emu_profile *p = o->sys->prof;
	struct emu_vcpu *v = &o->vcpu;

	if (!st) {
		/* Scenario exhausted: the guest calls PSCI SYSTEM_OFF. */
		psci_system_event(p, r, KVM_SYSTEM_EVENT_SHUTDOWN, 0);
		return 0;
	}
	switch (st->kind) {
	case EK_MMIO:
		mmio_exit(v, r, st);
		return 0;
	case EK_DEBUG:
		debug_exit(p, v, r, st);
		return 0;
	case EK_SYSTEM_EVENT:
		psci_system_event(p, r, st->type, st->data);
		return 0;
	case EK_SMCCC: {
		/* hypercalls.c kvm_prepare_hypercall_exit (6.4+): the
		 * compound literal writes all of run->hypercall: nr = func_id,
		 * args and ret 0, flags = SMC (if the EC is SMC32/64) |
		 * 16BIT (if the trapping instruction was 16-bit; A64: never) */
		unsigned char *u = (unsigned char *)r + KVMRC_RUN_UNION_OFFSET;
		uint64_t flags = st->smc ? KVMRC_ARM64_HYPERCALL_EXIT_SMC : 0;
		r->exit_reason = KVM_EXIT_HYPERCALL;
		memset(u, 0, 72);	/* nr, args[6], ret, flags */
		r->hypercall.nr = st->fid;
		memcpy(u + 64, &flags, sizeof(flags));
		return 0;
	}
	case EK_NISV:
		/* mmio.c io_mem_abort, KVM_ARCH_FLAG_RETURN_NISV_IO_ABORT_TO_USER */
		r->exit_reason = KVM_EXIT_ARM_NISV;
		r->arm_nisv.esr_iss = st->iss;
		r->arm_nisv.fault_ipa = st->addr;
		return 0;
	case EK_SEA: {
		/* mmu.c kvm_handle_guest_sea (6.19): memset(&run->arm_sea),
		 * esr; gva only if !(esr & FnV); gpa + GPA_VALID only for a
		 * valid IPA */
		struct kvmrc_arm_sea *sea = (void *)((unsigned char *)r + KVMRC_RUN_UNION_OFFSET);
		memset(sea, 0, sizeof(*sea));
		r->exit_reason = KVM_EXIT_ARM_SEA;
		sea->esr = (0x24ull << KVMRC_ESR_EC_SHIFT) | 0x10 /* FSC: SEA */ |
			   (st->fnv ? KVMRC_ESR_FNV : 0);
		if (!st->fnv)
			sea->gva = st->gva;
		if (st->gpa_valid) {
			sea->flags |= KVMRC_EXIT_ARM_SEA_FLAG_GPA_VALID;
			sea->gpa = st->gpa;
		}
		return 0;
	}
	case EK_EFAULT:
		/* mmu.c user_mem_abort: a fault that cannot be resolved */
		return -EFAULT;
	case EK_INTERNAL_ERROR:
		/* handle_exit default case: only exit_reason; suberror and
		 * ndata are never written */
		r->exit_reason = KVM_EXIT_INTERNAL_ERROR;
		return 0;
	case EK_HYP_GONE:
		/* handle_exit ARM_EXCEPTION_HYP_GONE: exit_reason only, 0 */
		r->exit_reason = KVM_EXIT_FAIL_ENTRY;
		return 0;
	case EK_PMU_MISMATCH:
		/* arm.c kvm_vcpu_exit_request (5.18+), returns 0 */
		r->exit_reason = KVM_EXIT_FAIL_ENTRY;
		r->fail_entry.hardware_entry_failure_reason = KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED;
		r->fail_entry.cpu = st->cpu;
		return 0;
	case EK_AARCH32_EL0:
		/* arm.c: guest caught in AArch32 EL0 on a system without
		 * 32-bit EL0 for KVM: the vcpu becomes uninitialized
		 * (5.10: vcpu->arch.target = -1; 6.x: target = -1 or
		 * vcpu_clear_flag(VCPU_INITIALIZED)), ret = ARM_EXCEPTION_IL;
		 * handle_exit ARM_EXCEPTION_IL: exit_reason = FAIL_ENTRY,
		 * return -EINVAL.  fail_entry fields are NOT written. */
		v->pstate = PSR_AA32_MODE_USR;
		v->initialized = 0;
		v->caught32 = 1;
		r->exit_reason = KVM_EXIT_FAIL_ENTRY;
		return -EINVAL;
	default:
		r->exit_reason = KVM_EXIT_INTERNAL_ERROR;
		return 0;
	}
}

/* mmio.c kvm_handle_mmio_return: the kernel's read of the VMM's answer */
static void mmio_return(struct emu_obj *o, struct kvm_run *r)
{
	struct emu_vcpu *v = &o->vcpu;
	uint64_t data = 0;

	if (!v->mmio_needed)
		return;
	v->mmio_needed = 0;
	if (v->mmio_is_write)
		return;
	memcpy(&data, r->mmio.data, v->mmio_len);
	emu_log(o->sys, "readback vcpu=%u mmio.len=%u mmio.data=0x%llx",
		v->id, v->mmio_len, (unsigned long long)data);
}

/* arm.c kvm_arch_vcpu_ioctl: the vCPU ioctls only arm64 has */
int emu_arm64_vcpu_ioctl(struct emu_obj *o, unsigned long req, void *arg, int *handled)
{
	struct emu_vcpu *v = &o->vcpu;
	int ret = 0;

	*handled = 1;
	switch ((unsigned int)req) {
	case KVMRC_ARM_VCPU_INIT: {
		/* arch/arm64/kvm/arm.c kvm_vcpu_set_target / kvm_reset_vcpu */
		struct kvmrc_arm64_vcpu_init init;
		if (!arg)
			return emu_err(EFAULT);
		memcpy(&init, arg, sizeof(init));
		if (init.target != ARM_TARGET_GENERIC_V8)
			return emu_err(EINVAL);
		for (unsigned i = ARM_VCPU_MAX_FEATURES; i < 7 * 32; i++)
			if (init.features[i / 32] & (1u << (i % 32)))
				return emu_err(ENOENT);
		pthread_mutex_lock(&v->lock);
		v->initialized = 1;
		v->caught32 = 0;
		v->pstate = ARM64_RESET_PSTATE;
		pthread_mutex_unlock(&v->lock);
		return 0;
	}
	case KVM_GET_ONE_REG:
	case KVM_SET_ONE_REG: {
		/* kvm_arch_vcpu_ioctl: -ENOEXEC before KVM_ARM_VCPU_INIT */
		struct kvm_one_reg reg;
		if (!v->initialized)
			return emu_err(ENOEXEC);
		if (!arg)
			return emu_err(EFAULT);
		memcpy(&reg, arg, sizeof(reg));
		/* core registers only (KVM_REG_ARM_CORE, 64-bit): guest.c get/set_core_reg */
		if ((reg.id & 0xffffffffffff0000ull) != (KVMRC_ARM64_REG_PSTATE & 0xffffffffffff0000ull))
			return emu_err(ENOENT);
		if (!reg.addr)
			return emu_err(EFAULT);
		pthread_mutex_lock(&v->lock);
		if (reg.id == KVMRC_ARM64_REG_PSTATE) {
			if ((unsigned int)req == KVM_GET_ONE_REG)
				memcpy((void *)(uintptr_t)reg.addr, &v->pstate, sizeof(v->pstate));
			else
				memcpy(&v->pstate, (void *)(uintptr_t)reg.addr, sizeof(v->pstate));
		} else {
			unsigned i;
			for (i = 0; i < v->n_one_reg && v->one_reg[i].id != reg.id; i++)
				;
			if ((unsigned int)req == KVM_GET_ONE_REG) {
				uint64_t val = i < v->n_one_reg ? v->one_reg[i].val : 0;
				memcpy((void *)(uintptr_t)reg.addr, &val, sizeof(val));
			} else if (i < 64) {
				v->one_reg[i].id = reg.id;
				memcpy(&v->one_reg[i].val, (void *)(uintptr_t)reg.addr, sizeof(uint64_t));
				if (i == v->n_one_reg)
					v->n_one_reg++;
			} else {
				ret = -1;
				errno = ENOSPC;
			}
		}
		pthread_mutex_unlock(&v->lock);
		return ret;
	}
	}
	*handled = 0;
	return 0;
}

/* arm.c kvm_arch_vcpu_ioctl_run up to the immediate_exit check */
static int arm64_enter(struct emu_obj *o, struct kvm_run *r)
{
	const struct emu_profile *p = o->sys->prof;
	struct emu_vcpu *v = &o->vcpu;
	pthread_t self = pthread_self();

	if (p->kver < KV(5, 16)) {
		/* 5.10..5.15 kvm_arch_vcpu_ioctl_run begins with
		 * if (unlikely(!kvm_vcpu_initialized(vcpu))) return -ENOEXEC; */
		if (!v->initialized)
			return -ENOEXEC;
	} else if (!v->has_run || !pthread_equal(v->last_thread, self)) {
		/* 5.16+ (Marc Zyngier, "KVM: arm64: Reorganise vcpu first
		 * run"): the check lives in kvm_arch_vcpu_run_pid_change(),
		 * which virt/kvm/kvm_main.c calls only when the calling
		 * thread differs from vcpu->pid. */
		if (!v->initialized)
			return -ENOEXEC;
	}
	v->has_run = 1;
	v->last_thread = self;

	if (r->exit_reason == KVM_EXIT_MMIO)
		mmio_return(o, r);
	/* then 5.10: if (run->immediate_exit) return -EINTR;
	 * 6.x:  if (!vcpu->wants_to_run) { ret = -EINTR; goto out; }
	 * Neither writes exit_reason or flags on that path. */
	return 0;
}

/* after the immediate_exit check, before the guest runs */
static int arm64_start(struct emu_obj *o, struct kvm_run *r)
{
	r->exit_reason = KVM_EXIT_UNKNOWN;
	if (o->sys->prof->kver >= KV(5, 19))
		r->flags = 0;	/* arm.c kvm_arch_vcpu_ioctl_run, 18f3976fdb5d */
	if (o->vcpu.caught32) {
		/* 5.16+, same thread, vcpu never re-initialized: the guest is
		 * still in AArch32 EL0 and is caught again on the next exit. */
		r->exit_reason = KVM_EXIT_FAIL_ENTRY;
		return -EINVAL;
	}
	return 0;
}

const struct emu_arch_ops emu_arm64_ops = {
	.arch = EMU_ARM64,
	.vm_type_mask = ~0xfful,	/* KVM_VM_TYPE_ARM_IPA_SIZE in bits 7:0 */
	.vm_unknown_errno = EINVAL,	/* kvm_arch_vm_ioctl: -EINVAL */
	.enter = arm64_enter,
	.start = arm64_start,
	.produce = produce,
	.vcpu_ioctl = emu_arm64_vcpu_ioctl,
	.needs_vcpu_init = 1,		/* KVM_ARM_VCPU_INIT before KVM_RUN */
};

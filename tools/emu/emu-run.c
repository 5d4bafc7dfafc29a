/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-run.c - KVM_RUN: the one skeleton every modelled architecture follows
 * (kvm_arch_vcpu_ioctl_run of arm64, x86 and riscv share this order), with
 * the architecture's steps from its struct emu_arch_ops.
 */
#include "emu.h"

const struct emu_arch_ops *emu_arch_ops_of(const struct emu_profile *p)
{
	switch (p->arch) {
	case EMU_ARM64:
		return &emu_arm64_ops;
	case EMU_X86_64:
		return &emu_x86_ops;
	case EMU_RISCV64:
		return &emu_riscv_ops;
	}
	return &emu_arm64_ops;
}

int emu_run(struct emu_obj *o)
{
	const struct emu_arch_ops *ops = emu_arch_ops_of(o->sys->prof);
	const struct emu_scenario *sc = o->sys->sc;
	struct emu_vcpu *v = &o->vcpu;
	struct kvm_run *r = (struct kvm_run *)v->run;
	int ret;

	if (emu_replay_on())
		return emu_replay_run(o);
	if (sc->bad)
		return emu_err(EINVAL);
	pthread_mutex_lock(&v->lock);	/* vcpu_load: vcpu->mutex */
	ret = ops->enter(o, r);
	if (!ret && r->immediate_exit)
		ret = -EINTR;	/* writes neither exit_reason nor flags */
	if (!ret)
		ret = ops->start(o, r);
	if (!ret) {
		ret = ops->produce(o, r, v->cursor < sc->nsteps ? &sc->step[v->cursor] : NULL);
		if (v->cursor < sc->nsteps)
			v->cursor++;
	}
	if (ops->leave)
		ops->leave(o, r);
	pthread_mutex_unlock(&v->lock);
	return ret < 0 ? emu_err(-ret) : 0;
}

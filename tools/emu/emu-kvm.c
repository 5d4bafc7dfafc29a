/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-kvm.c - the /dev/kvm device, VM and vCPU ioctls other than KVM_RUN.
 *
 * Every object is a memfd: /dev/kvm opens ("kvmemu-dev"), KVM_CREATE_VM
 * ("kvmemu-vm") and KVM_CREATE_VCPU ("kvmemu-vcpu", sized to the vcpu mmap
 * size so the VMM's mmap(vcpufd, 0) shows page 0 = struct kvm_run, zeroed
 * like the kernel's __GFP_ZERO page in kvm_vm_ioctl_create_vcpu).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "emu.h"

/* This process's pid without a system call per ioctl (tests trace KVM_RUN
 * under a filter that allows ioctl only); forgotten in a fork()ed child. */
static pid_t this_pid;
static void forget_pid(void) { this_pid = 0; }
static void watch_forks(void) { pthread_atfork(NULL, NULL, forget_pid); }
static pid_t emu_pid(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (!__atomic_load_n(&this_pid, __ATOMIC_RELAXED)) {
		pthread_once(&once, watch_forks);
		__atomic_store_n(&this_pid, getpid(), __ATOMIC_RELAXED);
	}
	return __atomic_load_n(&this_pid, __ATOMIC_RELAXED);
}

#define DEFAULT_PROFILE "arm64-6.1"
#define ARM_TARGET_GENERIC_V8 5		/* KVM_ARM_TARGET_GENERIC_V8 */
#define ARM_VCPU_MAX_FEATURES 7		/* KVM_VCPU_MAX_FEATURES, 5.10..6.12 */
/* PSTATE after kvm_reset_vcpu for a 64-bit vCPU: PSR_MODE_EL1h | A I F D */
#define ARM64_RESET_PSTATE 0x3c5u
#define MAX_VCPUS 512

static int new_memfd(const char *name, int cloexec)
{
	return memfd_create(name, cloexec ? MFD_CLOEXEC : 0);
}

int emu_open_dev(int flags)
{
	const char *pn = getenv("KVMEMU_PROFILE");
	const char *logp = getenv("KVMEMU_LOG");
	const struct emu_profile *p;
	struct emu_system *sys;
	struct emu_obj *o;
	int fd;

	emu_real_init();
	if (!pn || !*pn)
		pn = DEFAULT_PROFILE;
	p = emu_profile_find(pn);
	if (!p) {
		char names[256];
		emu_profile_names(names, sizeof(names));
		fprintf(stderr, "kvmemu: unknown KVMEMU_PROFILE '%.64s' (valid: %s); /dev/kvm does not exist\n",
			pn, names);
		return emu_err(ENOENT);
	}
	sys = calloc(1, sizeof(*sys));
	if (!sys || !(sys->sc = calloc(1, sizeof(*sys->sc)))) {
		free(sys);
		return emu_err(ENOMEM);
	}
	sys->prof = p;
	if (logp && strlen(logp) < sizeof(sys->log))
		strcpy(sys->log, logp);
	emu_scenario_load(sys->sc, getenv("KVMEMU_SCENARIO"), p);

	fd = new_memfd("kvmemu-dev", flags & O_CLOEXEC);
	if (fd < 0)
		return -1;
	o = emu_obj_new(EO_SYSTEM, fd);
	if (!o) {
		emu_real.close(fd);
		return emu_err(ENOMEM);
	}
	o->sys = sys;
	emu_fd_set(fd, o);
	return fd;
}

static int unknown(struct emu_obj *o, int fd, unsigned long req, int err)
{
	static const char *kn[] = { "?", "system", "vm", "vcpu" };

	emu_log(o->sys, "debug unknown ioctl 0x%lx on %s fd %d -> %s", req, kn[o->kind], fd,
		err == ENOTTY ? "ENOTTY" : "EINVAL");
	return emu_err(err);
}

static int create_vm(struct emu_obj *sys, unsigned long type)
{
	/* x86 accepts type 0 only (KVM_X86_DEFAULT_VM); arm64 encodes the
	 * IPA size in bits 7:0 (KVM_VM_TYPE_ARM_IPA_SIZE). */
	if (sys->sys->prof->arch == EMU_X86_64 ? type != 0 : (type & ~0xfful) != 0)
		return emu_err(EINVAL);
	int fd = new_memfd("kvmemu-vm", 1);	/* anon_inode_getfd(O_RDWR | O_CLOEXEC) */
	if (fd < 0)
		return -1;
	struct emu_obj *vm = emu_obj_new(EO_VM, fd);
	if (vm)
		vm->mm_owner = emu_pid();
	if (!vm) {
		emu_real.close(fd);
		return emu_err(ENOMEM);
	}
	vm->sys = sys->sys;
	emu_fd_set(fd, vm);
	return fd;
}

static pthread_mutex_t vm_lock = PTHREAD_MUTEX_INITIALIZER;	/* kvm->lock */

static int create_vcpu_locked(struct emu_obj *vm, unsigned long id);

static int create_vcpu(struct emu_obj *vm, unsigned long id)
{
	pthread_mutex_lock(&vm_lock);
	int r = create_vcpu_locked(vm, id);
	int e = errno;
	pthread_mutex_unlock(&vm_lock);
	errno = e;
	return r;
}

static int create_vcpu_locked(struct emu_obj *vm, unsigned long id)
{
	const struct emu_profile *p = vm->sys->prof;
	size_t sz = emu_profile_mmap_size(p);

	if (id >= MAX_VCPUS)
		return emu_err(EINVAL);
	if (vm->nvcpus >= MAX_VCPUS)
		return emu_err(EINVAL);
	/* kvm_vm_ioctl_create_vcpu: -EEXIST for a duplicate id */
	if (vm->idmap[id / 8] & (1u << (id % 8)))
		return emu_err(EEXIST);
	int fd = new_memfd("kvmemu-vcpu", 1);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)sz) != 0) {
		emu_real.close(fd);
		return -1;
	}
	/* the kernel's own view of kvm_run: no interposer above us sees it */
	unsigned char *run = (unsigned char *)syscall(SYS_mmap, NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		emu_real.close(fd);
		return -1;
	}
	struct emu_obj *o = emu_obj_new(EO_VCPU, fd);
	if (!o) {
		munmap(run, sz);
		emu_real.close(fd);
		return emu_err(ENOMEM);
	}
	o->sys = vm->sys;
	o->vm = vm;
	o->vcpu.id = (unsigned)id;
	o->vcpu.run = run;
	o->vcpu.map_size = sz;
	/* arm64 vCPUs need KVM_ARM_VCPU_INIT before they run */
	o->vcpu.initialized = p->arch != EMU_ARM64;
	o->vcpu.pstate = ARM64_RESET_PSTATE;
	vm->nvcpus++;
	vm->idmap[id / 8] |= (uint8_t)(1u << (id % 8));
	emu_fd_set(fd, o);
	return fd;
}

static int check_enable_cap(struct emu_obj *o, void *arg)
{
	struct kvm_enable_cap cap;

	if (!arg)
		return emu_err(EFAULT);
	memcpy(&cap, arg, sizeof(cap));
	if (cap.flags || !emu_profile_cap(o->sys->prof, cap.cap))
		return emu_err(EINVAL);
	return 0;
}

static int sys_ioctl(struct emu_obj *o, int fd, unsigned long req, void *arg)
{
	const struct emu_profile *p = o->sys->prof;

	switch ((unsigned int)req) {
	case KVM_GET_API_VERSION:
		if (arg)
			return emu_err(EINVAL);
		return KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return (int)emu_profile_cap(p, (long)arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		if (arg)
			return emu_err(EINVAL);
		return (int)emu_profile_mmap_size(p);
	case KVM_CREATE_VM:
		return create_vm(o, (unsigned long)arg);
	}
	return unknown(o, fd, req, EINVAL);
}

static int vm_ioctl(struct emu_obj *o, int fd, unsigned long req, void *arg)
{
	const struct emu_profile *p = o->sys->prof;

	switch ((unsigned int)req) {
	case KVM_CHECK_EXTENSION:
		return (int)emu_profile_cap(p, (long)arg);
	case KVM_CREATE_VCPU:
		return create_vcpu(o, (unsigned long)arg);
	case KVM_SET_USER_MEMORY_REGION:
		return arg ? 0 : emu_err(EFAULT);
	case KVM_ENABLE_CAP:
		return check_enable_cap(o, arg);
	case KVMRC_ARM_PREFERRED_TARGET:
		if (p->arch != EMU_ARM64)
			break;
		if (!arg)
			return emu_err(EFAULT);
		{
			struct kvmrc_arm64_vcpu_init init = { .target = ARM_TARGET_GENERIC_V8 };
			memcpy(arg, &init, sizeof(init));
		}
		return 0;
	}
	/* arm64 kvm_arch_vm_ioctl: -EINVAL; x86: -ENOTTY */
	return unknown(o, fd, req, p->arch == EMU_X86_64 ? ENOTTY : EINVAL);
}

static int arm64_vcpu_ioctl(struct emu_obj *o, unsigned long req, void *arg, int *handled)
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

static int vcpu_ioctl(struct emu_obj *o, int fd, unsigned long req, void *arg)
{
	const struct emu_profile *p = o->sys->prof;
	struct emu_vcpu *v = &o->vcpu;
	int handled;

	/* kvm_vcpu_ioctl: if (vcpu->kvm->mm != current->mm) return -EIO
	 * (a fork()ed child sharing the fd) */
	if (o->vm && o->vm->mm_owner && o->vm->mm_owner != emu_pid())
		return emu_err(EIO);

	switch ((unsigned int)req) {
	case KVM_RUN:
		if (arg)	/* kvm_vcpu_ioctl: KVM_RUN takes no argument */
			return emu_err(EINVAL);
		return p->arch == EMU_ARM64 ? emu_arm64_run(o) :
		       p->arch == EMU_RISCV64 ? emu_riscv_run(o) : emu_x86_run(o);
	case KVM_SET_GUEST_DEBUG:
		return arg ? 0 : emu_err(EFAULT);
	case KVM_ENABLE_CAP:
		return check_enable_cap(o, arg);
	}
	if (p->arch == EMU_ARM64) {
		int r = arm64_vcpu_ioctl(o, req, arg, &handled);
		if (handled)
			return r;
	} else if (p->arch == EMU_X86_64 && _IOC_TYPE(req) == KVMIO &&
		   (_IOC_NR(req) == _IOC_NR(KVM_GET_REGS) || _IOC_NR(req) == _IOC_NR(KVM_SET_REGS)) &&
		   _IOC_SIZE(req) > 0 && _IOC_SIZE(req) <= sizeof(v->regs)) {
		/* x86 KVM_GET_REGS / KVM_SET_REGS: store and return the blob */
		size_t n = _IOC_SIZE(req);
		if (!arg)
			return emu_err(EFAULT);
		pthread_mutex_lock(&v->lock);
		if (_IOC_NR(req) == _IOC_NR(KVM_SET_REGS)) {
			memcpy(v->regs, arg, n);
			v->regs_len = n;
		} else {
			memcpy(arg, v->regs, n);
		}
		pthread_mutex_unlock(&v->lock);
		return 0;
	} else if (p->arch == EMU_X86_64 && _IOC_TYPE(req) == KVMIO &&
		   (_IOC_NR(req) == _IOC_NR(KVM_GET_SREGS) || _IOC_NR(req) == _IOC_NR(KVM_SET_SREGS)) &&
		   _IOC_SIZE(req) > 0 && _IOC_SIZE(req) <= sizeof(v->sregs)) {
		/* x86 KVM_GET_SREGS / KVM_SET_SREGS: store and return the blob */
		if (!arg)
			return emu_err(EFAULT);
		pthread_mutex_lock(&v->lock);
		if (_IOC_NR(req) == _IOC_NR(KVM_SET_SREGS))
			memcpy(v->sregs, arg, _IOC_SIZE(req));
		else
			memcpy(arg, v->sregs, _IOC_SIZE(req));
		pthread_mutex_unlock(&v->lock);
		return 0;
	} else if (p->arch == EMU_X86_64 && _IOC_TYPE(req) == KVMIO && _IOC_NR(req) == 0x90 &&
		   _IOC_DIR(req) == _IOC_WRITE) {
		/* x86 KVM_SET_CPUID2 (its struct exists only in x86 headers):
		 * accepted; the emulator models no CPUID-dependent behaviour */
		return arg ? 0 : emu_err(EFAULT);
	}
	return unknown(o, fd, req, EINVAL);
}

int emu_ioctl(struct emu_obj *o, int fd, unsigned long req, void *arg)
{
	switch (o->kind) {
	case EO_SYSTEM:
		return sys_ioctl(o, fd, req, arg);
	case EO_VM:
		return vm_ioctl(o, fd, req, arg);
	case EO_VCPU:
		return vcpu_ioctl(o, fd, req, arg);
	}
	return emu_err(EINVAL);
}

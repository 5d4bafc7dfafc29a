/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-kvm.c - the /dev/kvm device, VM and vCPU ioctls; KVM_RUN is emu-run.c,
 * the architectures' own vCPU ioctls their emu-<arch>.c.
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
#define MAX_VCPUS 512

static int new_memfd(const char *name, int cloexec)
{
	return memfd_create(name, cloexec ? MFD_CLOEXEC : 0);
}

struct emu_system *emu_system_new(int scenario)
{
	const char *pn = getenv("KVMEMU_PROFILE");
	const char *logp = getenv("KVMEMU_LOG");
	const struct emu_profile *p;
	struct emu_system *sys;

	emu_real_init();
	if (!pn || !*pn)
		pn = DEFAULT_PROFILE;
	p = emu_profile_find(pn);
	if (!p) {
		char names[256];
		emu_profile_names(names, sizeof(names));
		fprintf(stderr, "kvmemu: unknown KVMEMU_PROFILE '%.64s' (valid: %s); /dev/kvm does not exist\n",
			pn, names);
		errno = ENOENT;
		return NULL;
	}
	sys = calloc(1, sizeof(*sys));
	if (!sys || !(sys->sc = calloc(1, sizeof(*sys->sc)))) {
		free(sys);
		errno = ENOMEM;
		return NULL;
	}
	sys->prof = p;
	if (logp && strlen(logp) < sizeof(sys->log))
		strcpy(sys->log, logp);
	if (scenario)
		emu_scenario_load(sys->sc, getenv("KVMEMU_SCENARIO"), p);
	emu_replay_init(p);
	return sys;
}

int emu_open_dev(int flags)
{
	struct emu_system *sys = emu_system_new(1);
	struct emu_obj *o;
	int fd;

	if (!sys)
		return -1;
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
	if (type & emu_arch_ops_of(sys->sys->prof)->vm_type_mask)
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
	/* the kernel's own view of kvm_run: no interposer above us sees it
	 * (libc's syscall(), not the one a shim above may export) */
	unsigned char *run = (unsigned char *)emu_real.syscall(SYS_mmap, NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
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
	o->vcpu.initialized = !emu_arch_ops_of(p)->needs_vcpu_init;
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
	return unknown(o, fd, req, emu_arch_ops_of(p)->vm_unknown_errno);
}

static int vcpu_ioctl(struct emu_obj *o, int fd, unsigned long req, void *arg)
{
	const struct emu_arch_ops *ops = emu_arch_ops_of(o->sys->prof);
	int handled;

	/* kvm_vcpu_ioctl: if (vcpu->kvm->mm != current->mm) return -EIO
	 * (a fork()ed child sharing the fd) */
	if (o->vm && o->vm->mm_owner && o->vm->mm_owner != emu_pid())
		return emu_err(EIO);

	switch ((unsigned int)req) {
	case KVM_RUN:
		if (arg)	/* kvm_vcpu_ioctl: KVM_RUN takes no argument */
			return emu_err(EINVAL);
		return emu_run(o);
	case KVM_SET_GUEST_DEBUG:
		return arg ? 0 : emu_err(EFAULT);
	case KVM_ENABLE_CAP:
		return check_enable_cap(o, arg);
	}
	if (ops->vcpu_ioctl) {
		int r = ops->vcpu_ioctl(o, req, arg, &handled);
		if (handled)
			return r;
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

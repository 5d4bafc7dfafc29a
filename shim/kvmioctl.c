/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvmioctl.c - what the shim does around KVM ioctls.
 *
 * KVM_RUN is the hot path: one slot load, the before-run rules, the real
 * call, the after-run rules, errno restored.  Everything that needs a system
 * call (classifying /dev/kvm, probing capabilities) happens when an fd is
 * created, before a VMM installs its per-thread seccomp filters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "config.h"
#include "engine.h"
#include "failentry.h"
#include "real.h"
#include "shim.h"

#define KVM_MISC_MAJOR 10
#define KVM_MINOR 232

int kvmrc_next_ioctl(int fd, unsigned long req, void *arg)
{
	return kvmrc_real.ioctl(fd, (IOCTL_REQUEST_TYPE)req, arg);
}

int kvmrc_ioctl_run(int fd, IOCTL_REQUEST_TYPE req, void *arg)
{
	struct kvmrc_vcpu *v = kvmrc_slot_vcpu(kvmrc_fdt_get(fd));

	if (!v || !kvmrc_cfg.active)
		return kvmrc_real.ioctl(fd, req, arg);

	enum kvmrun_compat_arch arch = kvmrc_cfg.arch;
	uint8_t *run = __atomic_load_n(&v->run, __ATOMIC_ACQUIRE);
	struct kvmrc_undo undo;
	if (run)
		kvmrc_engine_before_run(run, arch, &undo, v->hits);

	int r = kvmrc_real.ioctl(fd, req, arg);
	int err = errno;

	v->runs++;
	if (run) {
		unsigned int when = kvmrc_when_of(r, err);
		if (r == -1 && err == EINTR)
			kvmrc_engine_undo_before_run(run, arch, &undo);
		if (when)
			kvmrc_engine_apply(run, arch, v->vm ? &v->vm->caps : NULL, when, v->hits);
		if (arch == KVMRUN_COMPAT_ARCH_ARM64 &&
		    (r == -1 ? (err == EINVAL || err == ENOEXEC)
			     : ((struct kvm_run *)run)->exit_reason == KVM_EXIT_FAIL_ENTRY))
			r = kvmrc_fail_entry_after_run(fd, v, run, r, &err);
	}
	errno = err;
	return r;
}

/* Is fd the KVM device?  Asked once per fd, off the hot path. */
static int is_kvm_device(int fd)
{
	uintptr_t slot = kvmrc_fdt_get(fd);
	struct stat st;

	if (kvmrc_slot_role(slot) == KVMRC_ROLE_SYSTEM)
		return 1;
	if (slot == KVMRC_SLOT_OTHER)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	    st.st_rdev == makedev(KVM_MISC_MAJOR, KVM_MINOR)) {
		kvmrc_fdt_set_system(fd);
		return 1;
	}
	return 0;
}

int kvmrc_ioctl_kvm(int fd, uint32_t nr, IOCTL_REQUEST_TYPE req, void *arg)
{
	int r = kvmrc_real.ioctl(fd, req, arg);
	int err = errno;

	if (r < 0 || !kvmrc_cfg.active)
		goto out;
	kvmrc_init();

	switch (nr) {
	case KVM_CREATE_VM:
		if (!is_kvm_device(fd)) {
			kvmrc_log_once(KVMRC_LOG_WARN,
				       "KVM_CREATE_VM succeeded on fd %d, which is not /dev/kvm (char 10:232); "
				       "its VMs are passed through untouched", fd);
			break;
		}
		struct kvmrc_vm *vm = kvmrc_fdt_new_vm(r);
		if (vm)
			kvmrc_caps_probe(vm, r, fd);
		break;
	case KVM_CREATE_VCPU: {
		struct kvmrc_vm *vm2 = kvmrc_slot_vm(kvmrc_fdt_get(fd));
		if (vm2)
			kvmrc_fdt_new_vcpu(r, vm2, (uint32_t)(uintptr_t)arg);
		break;
	}
	case KVM_ENABLE_CAP: {
		uintptr_t slot = kvmrc_fdt_get(fd);
		struct kvmrc_vm *vm3 = kvmrc_slot_vm(slot);
		struct kvmrc_vcpu *vc = kvmrc_slot_vcpu(slot);
		const struct kvm_enable_cap *ec = arg;
		if (!vm3 && vc)
			vm3 = vc->vm;
		if (vm3 && ec)
			kvmrc_caps_enabled(vm3, ec->cap);
		break;
	}
	default:
		if (nr == (uint32_t)KVMRC_ARM_VCPU_INIT) {
			struct kvmrc_vcpu *vi = kvmrc_slot_vcpu(kvmrc_fdt_get(fd));
			if (vi)
				kvmrc_fail_entry_vcpu_init(vi);
		}
		break;
	}
out:
	errno = err;
	return r;
}

/*
 * A vCPU fd the library never saw created: inherited across exec (QEMU CPR),
 * received with SCM_RIGHTS, or created before the library loaded.  The
 * kernel names it "anon_inode:kvm-vcpu:<id>".  Its VM is unknown, so the
 * capabilities are asked of /dev/kvm.  Runs at mmap time, never on KVM_RUN.
 */
static struct kvmrc_vcpu *adopt_vcpu(int fd)
{
	static const char prefix[] = "anon_inode:kvm-vcpu:";
	char path[32], target[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0 || (size_t)n < sizeof(prefix) - 1 || memcmp(target, prefix, sizeof(prefix) - 1)) {
		if (kvmrc_fdt_ready()) /* remember, but allocate nothing for non-KVM processes */
			kvmrc_fdt_set_other(fd);
		return NULL;
	}
	target[n] = 0;
	uint32_t id = (uint32_t)strtoul(target + sizeof(prefix) - 1, NULL, 10);
	struct kvmrc_vm *vm = kvmrc_fdt_new_vm(-1);
	if (vm) {
		int sys = kvmrc_real.open("/dev/kvm", O_RDWR | O_CLOEXEC);
		if (sys >= 0) {
			kvmrc_caps_probe(vm, sys, sys);
			kvmrc_real.close(sys);
		}
	}
	struct kvmrc_vcpu *v = kvmrc_fdt_new_vcpu(fd, vm, id);
	if (vm)
		kvmrc_fdt_vm_put(vm); /* the vCPU holds it now */
	if (v)
		kvmrc_log(KVMRC_LOG_INFO, "adopted vCPU %u (fd %d) created outside the library's sight; "
			  "capabilities from /dev/kvm", id, fd);
	return v;
}

void kvmrc_after_mmap(void *addr, size_t len, int flags, int fd, int64_t offset)
{
	/* Page 0 of a vCPU fd is kvm_run; private or short maps are not it. */
	if (offset != 0 || !(flags & MAP_SHARED) || len < kvmrc_run_size(kvmrc_cfg.arch) || !kvmrc_cfg.active)
		return;
	uintptr_t slot = kvmrc_fdt_get(fd);
	struct kvmrc_vcpu *v = slot ? kvmrc_slot_vcpu(slot) : adopt_vcpu(fd);
	if (v)
		kvmrc_fdt_mapped(v, addr, len);
}

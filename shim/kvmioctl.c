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
#include "abi-caps.h"
#include "abi-run.h"
#include "config.h"
#include "engine.h"
#include "failentry.h"
#include "real.h"
#include "scrub.h"
#include "caps.h"
#include "kvmioctl.h"

#define KVM_MISC_MAJOR 10
#define KVM_MINOR 232

int kvmrc_ioctl_run(int fd, IOCTL_REQUEST_TYPE req, void *arg)
{
	uintptr_t slot = kvmrc_fdt_get(fd);
	struct kvmrc_vcpu *v = kvmrc_slot_vcpu(slot);

	/* KVM_RUN takes no argument: with one the kernel fails before entry. */
	if (!v || arg || !kvmrc_fdt_hold(v, fd, slot))
		return kvmrc_real.ioctl(fd, req, arg);

	uint8_t *page = v->page;
	if (__builtin_expect(!page, 0)) {
		kvmrc_fdt_release(v);
		return kvmrc_real.ioctl(fd, req, arg);
	}
	if (kvmrc_fail_entry_pending(v))
		kvmrc_fail_entry_before_run(v, page);
	uint32_t before = kvmrc_load32(page + KVMRC_RUN_EXIT_REASON_OFFSET);
	kvmrc_scrub_before(&v->sc, page);

	int r = kvmrc_real.ioctl(fd, req, arg);
	int err = __builtin_expect(r == 0, 1) ? 0 : errno;

	kvmrc_scrub_after(&v->sc, page, r, err, before);
	if (__builtin_expect(kvmrc_abi_on, 0))
		kvmrc_abi_after_run(&v->abi, page, r, before);
	if (v->sc.arch == KVMRUN_COMPAT_ARCH_ARM64 && kvmrc_fail_entry_after_needed(v, page, r, err))
		r = kvmrc_fail_entry_after_run(v, page, r, &err);
	__atomic_store_n(&v->runs, v->runs + 1, __ATOMIC_RELAXED);
	kvmrc_fdt_release(v);
	if (__builtin_expect(r != 0, 0))
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
	/* --abi: a capability the older kernel lacked cannot be enabled ... */
	if (nr == (uint32_t)KVM_ENABLE_CAP && kvmrc_cfg.active && kvmrc_abi_caps_enable_refused(arg)) {
		errno = EINVAL;
		return -1;
	}
	int r = kvmrc_real.ioctl(fd, req, arg);
	int err = errno;

	/* ... and reads 0 (on /dev/kvm, a VM or a vCPU fd) */
	if (nr == (uint32_t)KVM_CHECK_EXTENSION && r > 0 && kvmrc_cfg.active &&
	    kvmrc_abi_caps_hidden((unsigned long)arg))
		r = 0;

	if (r < 0 || !kvmrc_cfg.active) /* active only once the configuration is read */
		goto out;

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
		if (vm2 && kvmrc_fdt_new_vcpu(r, vm2, (uint32_t)(uintptr_t)arg))
			kvmrc_log_start_thread(); /* from here on, lines from vCPU threads are queued */
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
 * kernel names it "anon_inode:kvm-vcpu:<id>".  Asked once per fd number when
 * the VMM maps it (never on KVM_RUN); the answer is remembered either way.
 */
static struct kvmrc_vcpu *adopt_vcpu(int fd)
{
	static const char prefix[] = "anon_inode:kvm-vcpu:";
	char path[32], target[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0 || (size_t)n < sizeof(prefix) - 1 || memcmp(target, prefix, sizeof(prefix) - 1)) {
		kvmrc_fdt_set_other(fd); /* asked once per fd number, until it is reopened */
		return NULL;
	}
	target[n] = 0;
	uint32_t id = (uint32_t)strtoul(target + sizeof(prefix) - 1, NULL, 10);
	struct kvmrc_vcpu *v = kvmrc_fdt_adopt_vcpu(fd, id);
	if (v)
		kvmrc_log_start_thread();
	if (v)
		kvmrc_log(KVMRC_LOG_INFO, "adopted vCPU %u (fd %d) created outside the library's sight; "
			  "capabilities from /dev/kvm", id, fd);
	return v;
}

void kvmrc_after_mmap(size_t len, int flags, int fd, int64_t offset)
{
	/* Page 0 of a vCPU fd is kvm_run; private or short maps are not it. */
	if (offset != 0 || !(flags & MAP_SHARED) || len < kvmrc_run_size(kvmrc_cfg.arch) || !kvmrc_cfg.active)
		return;
	if (!kvmrc_fdt_get(fd))
		adopt_vcpu(fd);
}

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
#include <sys/syscall.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "abi-caps.h"
#include "abi-run.h"
#include "config.h"
#include "cookie.h"
#include "engine.h"
#include "failentry.h"
#include "real.h"
#include "scrub.h"
#include "caps.h"
#include "kvmioctl.h"
#include "runpath.h"
#include "sys.h"
#include "trace.h"

#define KVM_MISC_MAJOR 10
#define KVM_MINOR 232

/*
 * The before-run step of a vCPU, in full: FAIL_ENTRY marking, pending
 * inputs kept, the flags and the union filled.  Also records exit_reason at
 * entry for kvmrc_run_after().  The caller announced the call (kvmrc_fdt_hold).
 */
void kvmrc_run_before(struct kvmrc_vcpu *v, uint8_t *page)
{
	if (kvmrc_fail_entry_pending(v))
		kvmrc_fail_entry_before_run(v, page);
	v->sc.before = kvmrc_load32(page + KVMRC_RUN_EXIT_REASON_OFFSET);
	kvmrc_scrub_before(&v->sc, page);
}

/*
 * The after-run step of a vCPU, in full, for a KVM_RUN that returned r
 * (errno *err): the new exit recorded, its rules, --abi, the FAIL_ENTRY policy
 * (which may change r and *err).  Returns r.  Sets v->sc.slow when the next
 * KVM_RUN must take these steps again.
 */
int kvmrc_run_after(struct kvmrc_vcpu *v, uint8_t *page, int r, int *err)
{
	kvmrc_scrub_after(&v->sc, page, r, *err, v->sc.before);
	if (__builtin_expect(kvmrc_abi_on, 0)) /* KVMRC_SLOW_ABI */
		kvmrc_abi_after_run(&v->abi, page, r, v->sc.before);
	if (v->sc.slow & KVMRC_SLOW_POISON)
		kvmrc_poison_after_run(&v->poison, page, v->sc.arch, r, v->sc.before, kvmrc_scrub_fill);
	if (v->sc.arch == KVMRUN_COMPAT_ARCH_ARM64 && kvmrc_fail_entry_after_needed(v, page, r, *err))
		r = kvmrc_fail_entry_after_run(v, page, r, err);
	v->sc.slow = (v->sc.slow & ~KVMRC_SLOW_FAIL_ENTRY) | (kvmrc_fail_entry_pending(v) ? KVMRC_SLOW_FAIL_ENTRY : 0);
	return r;
}

/* The end of every KVM_RUN the library took part in. */
static inline int run_done(struct kvmrc_vcpu *v, int r, int err)
{
	kvmrc_fdt_release(v);
	if (__builtin_expect(r != 0, 0))
		errno = err;
	return r;
}

/* The real KVM_RUN off the straight path: with the cookie once --raw-syscalls
 * is armed (cookie.h; such vCPUs carry KVMRC_SLOW_COOKIE, so the straight
 * path never needs to ask). */
static inline int run_next(int fd, IOCTL_REQUEST_TYPE req, void *arg)
{
	if (__builtin_expect(kvmrc_cookie_direct, 0))
		return kvmrc_cookie_run(fd, (unsigned long)req, arg);
	return kvmrc_real.ioctl(fd, req, arg);
}

/* An fd the library does not track as a vCPU, or lost in a race: passed through. */
int kvmrc_ioctl_run_untracked(int fd, IOCTL_REQUEST_TYPE req, void *arg)
{
	if (!kvmrc_real_ready())
		return (int)kvmrc_sys(SYS_ioctl, fd, (unsigned long)req, arg);
	return run_next(fd, req, arg);
}

/* A KVM_RUN with every step (something pending, a step asked for). */
int kvmrc_ioctl_run_full(struct kvmrc_vcpu *v, int fd, IOCTL_REQUEST_TYPE req)
{
	uint8_t *page = v->page;

	if (!page) { /* KVMRC_SLOW_NO_PAGE */
		kvmrc_fdt_unhold(v);
		return kvmrc_ioctl_run_untracked(fd, req, NULL);
	}
	kvmrc_run_before(v, page);
	int r = run_next(fd, req, NULL);
	int err = r == 0 ? 0 : errno;
	if (__builtin_expect(v->trace != NULL, 0)) /* recording (trace.h) */
		r = kvmrc_trace_after(v, page, r, &err, kvmrc_run_after);
	else
		r = kvmrc_run_after(v, page, r, &err);
	return run_done(v, r, err);
}

/* The straight path's call came back with something its plan does not cover. */
/*
 * After a straight-path call (it returned 0, nothing was pending and nothing
 * is asked: the gate reads 0) for an exit whose full step is its rules alone
 * (kvmrc_scrub_rules_only): what kvmrc_run_after would do, without asking
 * what it need not.  Returns 0 when that is not the case.
 */
static inline int rules_only(struct kvmrc_vcpu *v, uint8_t *page)
{
	uint32_t reason = kvmrc_load32(page + KVMRC_RUN_EXIT_REASON_OFFSET);

	if (v->sc.gate != 0 || reason >= KVMRC_MAX_EXIT || !kvmrc_scrub_rules_only[v->sc.arch][reason])
		return 0;
	const struct kvmrc_exit_desc *d = &v->sc.exits[reason];
	struct kvmrc_span s = { d->rule_first, d->rule_count };
	kvmrc_engine_apply_span(page, v->sc.caps, KVMRC_WHEN_RET_OK, s, v->sc.hits);
	v->sc.last_reason = reason;
	v->sc.pend = kvmrc_scrub_word(d->pend, v->sc.uoff);
	return 1;
}

int kvmrc_ioctl_after_full(struct kvmrc_vcpu *v, int r)
{
	int err = r == 0 ? 0 : errno;

	if (r == 0 && __builtin_expect(v->trace == NULL, 1) && rules_only(v, v->page)) {
		kvmrc_fdt_release(v);
		return 0;
	}
	if (__builtin_expect(v->trace != NULL, 0)) /* recording: every exit comes here (trace.h) */
		r = kvmrc_trace_after(v, v->page, r, &err, kvmrc_run_after);
	else
		r = kvmrc_run_after(v, v->page, r, &err);
	return run_done(v, r, err);
}

int kvmrc_ioctl_run_kept(struct kvmrc_vcpu *v, int fd, IOCTL_REQUEST_TYPE req)
{
	return kvmrc_runpath_kept(v, fd, req, 0);
}

int kvmrc_ioctl_run_kept_avx2(struct kvmrc_vcpu *v, int fd, IOCTL_REQUEST_TYPE req)
{
	return kvmrc_runpath_kept(v, fd, req, 1);
}

int kvmrc_ioctl_kept_after(struct kvmrc_vcpu *v)
{
	if (!kvmrc_scrub_kept_after_any(&v->sc, v->plan, v->page))
		return kvmrc_ioctl_after_full(v, 0);
	return run_done(v, 0, 0);
}

/* Passed through after all: the slot changed between its load and the
 * announcement (fd was closed), or the call has an argument. */
int kvmrc_ioctl_run_lost(struct kvmrc_vcpu *v, int fd, IOCTL_REQUEST_TYPE req, void *arg)
{
	kvmrc_fdt_unhold(v);
	return kvmrc_ioctl_run_untracked(fd, req, arg);
}


static __attribute__((noinline)) int run_sse(int fd, IOCTL_REQUEST_TYPE req, void *arg)
{
	return kvmrc_runpath(fd, req, arg, 0);
}

#ifdef KVMRC_SCRUB_AVX2
static __attribute__((noinline)) int run_avx2(int fd, IOCTL_REQUEST_TYPE req, void *arg)
{
	return kvmrc_runpath(fd, req, arg, 1);
}
#endif

int (*kvmrc_runpath_entry)(int, IOCTL_REQUEST_TYPE, void *) = kvmrc_ioctl_run_untracked;

/* A vCPU is tracked, so the fd table is mapped: KVM_RUN may take its
 * straight path, the copy for this CPU (and the kernel's saving of its AVX
 * state).  Racing callers store the same value. */
static void arm_runpath(void)
{
	int (*run)(int, IOCTL_REQUEST_TYPE, void *) = run_sse;
#ifdef KVMRC_SCRUB_AVX2
	if (kvmrc_runpath_avx2())
		run = run_avx2;
#endif
	if (__atomic_load_n(&kvmrc_runpath_entry, __ATOMIC_RELAXED) != run)
		__atomic_store_n(&kvmrc_runpath_entry, run, __ATOMIC_RELEASE);
}

int kvmrc_ioctl_run(int fd, IOCTL_REQUEST_TYPE req, void *arg)
{
	return KVMRC_RUNPATH_ENTRY()(fd, req, arg);
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

	if (r >= 0 && kvmrc_cfg.active) /* active only once the configuration is read */
		kvmrc_ioctl_kvm_done(fd, nr, arg, r);
	errno = err;
	return r;
}

void kvmrc_ioctl_kvm_done(int fd, uint32_t nr, void *arg, int r)
{
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
		struct kvmrc_vcpu *nv = vm2 ? kvmrc_fdt_new_vcpu(r, vm2, (uint32_t)(uintptr_t)arg) : NULL;
		if (nv) {
			arm_runpath();
			kvmrc_trace_vcpu_new(nv);
			kvmrc_log_start_thread(); /* from here on, lines from vCPU threads are queued */
		}
		if (kvmrc_cookie_value)
			kvmrc_cookie_check_handler();
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
	if (v) {
		arm_runpath();
		kvmrc_trace_vcpu_new(v);
		kvmrc_log_start_thread();
	}
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

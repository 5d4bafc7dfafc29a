/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmm-run.c - how the real-kernel test VMM makes its KVM calls (vmm <cpu>
 * run=MODE), for the VMMs that LD_PRELOAD's ioctl wrapper does not see:
 *
 *   libc     ioctl(), the default
 *   syscall  every ioctl as syscall(SYS_ioctl, ...) (the shim's syscall())
 *   inline   KVM_RUN as an inline `syscall` / `svc #0` instruction, the
 *            fourth argument register holding junk (--raw-syscalls)
 *   api      the static build (VMM_API): KVM_RUN between
 *            kvmrun_compat_before_run() and _after_run() of the static
 *            archive, nothing preloaded
 *
 * The dynamic VMM overrides ioctl() for its own calls and forwards the libc
 * mode to the next definition (the preloaded shim, or libc).  Like vmm.c, the
 * dynamic build depends on nothing of the project.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "vmm-common.h"

enum { RUN_LIBC, RUN_SYSCALL, RUN_INLINE, RUN_API };
static int run_mode = RUN_LIBC;

#ifdef VMM_API
#include <sys/ioctl.h>
#include "kvmrun-compat.h"

/* one vCPU per scenario: its state is made at its first KVM_RUN, with the
 * VM's capabilities then (what KVM_CHECK_EXTENSION says, enabled or not:
 * a superset of what the preload records, equal on the ones its tables ask) */
static int api_run(struct vm *vm)
{
	static unsigned int gen = ~0u;
	static struct kvmrun_compat_vcpu v;

	if (gen != g_vm_gen) {
		struct kvmrun_compat_caps caps;
		memset(&caps, 0, sizeof caps);
		for (unsigned int c = 0; c < 256; c++)
			if (ioctl(vm->fd, KVM_CHECK_EXTENSION, (unsigned long)c) > 0)
				kvmrun_compat_caps_add(&caps, c);
		if (kvmrun_compat_vcpu_init(&v, kvmrun_compat_host_arch(), &caps, 0) != 0) {
			errno = EINVAL;
			return -1;
		}
		gen = g_vm_gen;
	}
	kvmrun_compat_before_run(&v, vm->run, (size_t)g_mmap_size);
	int r = ioctl(vm->vcpu, KVM_RUN, 0UL);
	struct kvmrun_compat_exit e = { r, r < 0 ? errno : 0 };
	kvmrun_compat_after_run(&v, vm->run, (size_t)g_mmap_size, &e);
	if (r < 0)
		errno = e.err;
	return r;
}
#else
#include <dlfcn.h>

static long inline_ioctl(long fd, long req, long arg)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = 0x5a5a5a5a5a5a5a5a;
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"((long)SYS_ioctl), "D"(fd), "S"(req), "d"(arg), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
#else
	register long x8 __asm__("x8") = SYS_ioctl;
	register long x0 __asm__("x0") = fd;
	register long x1 __asm__("x1") = req;
	register long x2 __asm__("x2") = arg;
	register long x3 __asm__("x3") = 0x5a5a5a5a5a5a5a5a;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
#endif
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*next)(int, unsigned long, ...);
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);

	if (run_mode == RUN_SYSCALL)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	if (run_mode == RUN_INLINE && (uint32_t)req == (uint32_t)KVM_RUN) {
		long r = inline_ioctl(fd, (long)req, (long)arg);
		if (r < 0) {
			errno = (int)-r;
			return -1;
		}
		return (int)r;
	}
	if (!next)
		*(void **)&next = dlsym(RTLD_NEXT, "ioctl");
	if (!next) /* a static build (supervisor mode's): no next definition */
		return (int)syscall(SYS_ioctl, fd, req, arg);
	return next(fd, req, arg);
}
#endif

/* run=MODE: 0, or -1 for a mode this build does not have */
int vmm_run_mode(const char *mode)
{
#ifdef VMM_API
	if (!strcmp(mode, "api")) {
		run_mode = RUN_API;
		vmm_run_hook = api_run;
		return 0;
	}
#else
	if (!strcmp(mode, "libc") || !strcmp(mode, "syscall") || !strcmp(mode, "inline")) {
		run_mode = mode[0] == 'l' ? RUN_LIBC : mode[0] == 's' ? RUN_SYSCALL : RUN_INLINE;
		return 0;
	}
#endif
	return -1;
}

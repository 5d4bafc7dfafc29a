/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * interpose-ioctl.c - the ioctl entry point, the one every KVM_RUN takes.
 *
 * Declared with its one argument named instead of "...": on the ABIs the
 * library supports (x86_64 SysV, AAPCS64 on Linux, riscv64 and s390x ELF)
 * a variadic argument travels exactly where a named one does, and reading
 * it without va_list saves the register spill on every call.  This file
 * must not include <sys/ioctl.h>, whose prototype says "...".  For the
 * same reason the next ioctl is called through a prototype with the third
 * argument named: on x86_64 that leaves %al (the vector-register count a
 * variadic callee reads) unset, an upper bound the callee only tests for
 * zero before saving vector registers it then never reads.
 */
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "real.h"
#include "export.h"
#include "kvmioctl.h"
#include "runpath.h"
#include "sys.h"

KVMRC_EXPORT int ioctl(int fd, IOCTL_REQUEST_TYPE req, void *arg);

/* Before the next ioctl is resolved (or while this thread resolves it). */
static __attribute__((noinline)) int ioctl_boot(int fd, IOCTL_REQUEST_TYPE req, void *arg)
{
	if (!kvmrc_real_ready())
		return (int)kvmrc_sys(SYS_ioctl, fd, (unsigned long)req, arg);
	return kvmrc_real.ioctl(fd, req, arg);
}

static __attribute__((noinline)) int ioctl_kvm(int fd, IOCTL_REQUEST_TYPE req, void *arg)
{
	if (__builtin_expect(!kvmrc_real_ready(), 0))
		return (int)kvmrc_sys(SYS_ioctl, fd, (unsigned long)req, arg);
	return kvmrc_ioctl_kvm(fd, (uint32_t)req, req, arg);
}

/*
 * Every path leaves by a tail call, so none builds a stack frame here:
 * KVM_RUN jumps to its straight path (runpath.h: one of two copies, chosen
 * once the first vCPU is tracked; before that, the pass-through), any other
 * ioctl costs two compares, a load and a jump.
 */
KVMRC_EXPORT int ioctl(int fd, IOCTL_REQUEST_TYPE req, void *arg)
{
	uint32_t nr = (uint32_t)req; /* the kernel compares 32 bits */

	if (nr == KVM_RUN)
		return KVMRC_RUNPATH_ENTRY()(fd, req, arg);
	if (__builtin_expect(_IOC_TYPE(nr) != KVMIO, 1)) {
		int (*next)(int, IOCTL_REQUEST_TYPE, void *) =
			(int (*)(int, IOCTL_REQUEST_TYPE, void *))__atomic_load_n(&kvmrc_real.ioctl, __ATOMIC_ACQUIRE);
		if (__builtin_expect(next != NULL, 1))
			return next(fd, req, arg);
		return ioctl_boot(fd, req, arg);
	}
	return ioctl_kvm(fd, req, arg);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * interpose-ioctl.c - the ioctl entry point, the one every KVM_RUN takes.
 *
 * Declared with its one argument named instead of "...": on the ABIs the
 * library supports (x86_64 SysV, AAPCS64 on Linux, riscv64 and s390x ELF)
 * a variadic argument travels exactly where a named one does, and reading
 * it without va_list saves the register spill on every call.  This file
 * must not include <sys/ioctl.h>, whose prototype says "...".
 */
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "real.h"
#include "export.h"
#include "kvmioctl.h"

KVMRC_EXPORT int ioctl(int fd, IOCTL_REQUEST_TYPE req, void *arg);

KVMRC_EXPORT int ioctl(int fd, IOCTL_REQUEST_TYPE req, void *arg)
{
	uint32_t nr = (uint32_t)req; /* the kernel compares 32 bits */

	if (__builtin_expect(!kvmrc_real_ready(), 0))
		return (int)syscall(SYS_ioctl, fd, (unsigned long)req, arg);
	if (nr == KVM_RUN)
		return kvmrc_ioctl_run(fd, req, arg);
	if (_IOC_TYPE(nr) != KVMIO)
		return kvmrc_real.ioctl(fd, req, arg);
	return kvmrc_ioctl_kvm(fd, nr, req, arg);
}

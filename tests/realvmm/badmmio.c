/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * badmmio.c - a deliberately wrong preload, the control of the realvmm
 * comparison.  Before each KVM_RUN that completes an MMIO read exit it zeroes
 * kvm_run->mmio.data, so the guest reads 0 where QEMU answered (the virtio
 * magic value, for instance).  A comparison that cannot tell this library
 * from the shim proves nothing; with it the pair must come out "different".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#define BAD_MAX_FD 4096

static struct kvm_run *bad_runs[BAD_MAX_FD];

static int bad_is_vcpu(int fd)
{
	char p[64], l[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(p, l, sizeof l - 1);
	if (n <= 0)
		return 0;
	l[n] = 0;
	return strncmp(l, "anon_inode:kvm-vcpu", 19) == 0;
}

static void bad_note(void *p, int flags, int fd, off_t off)
{
	if (p != MAP_FAILED && fd >= 0 && fd < BAD_MAX_FD && off == 0 && (flags & MAP_SHARED) &&
	    bad_is_vcpu(fd))
		bad_runs[fd] = p;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off_t);
	if (!real)
		real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	void *p = real(addr, len, prot, flags, fd, off);
	bad_note(p, flags, fd, off);
	return p;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real)(int, unsigned long, ...);
	if (!real)
		real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (req == KVM_RUN && fd >= 0 && fd < BAD_MAX_FD && bad_runs[fd]) {
		struct kvm_run *r = bad_runs[fd];
		if (r->exit_reason == KVM_EXIT_MMIO && !r->mmio.is_write)
			memset(r->mmio.data, 0, sizeof r->mmio.data);
	}
	return real(fd, req, arg);
}

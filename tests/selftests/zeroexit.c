/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * zeroexit.c - a deliberately wrong preload, the control of the selftests
 * comparison: a "scrub" that also erases what the kernel wrote.  After every
 * KVM_RUN it zeroes the exit's union in kvm_run (bytes 32-287: io, mmio,
 * system_event, ...), so the selftest's ucall decoding (x86: io.port of the
 * ucall IN; arm64: mmio.data, the ucall struct's address) reads zeros where
 * the kernel wrote.  A comparison that cannot tell this library from the shim
 * proves nothing; with it the tests must come out different.
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

#define ZX_MAX_FD 4096

static struct kvm_run *zx_runs[ZX_MAX_FD];

static int zx_is_vcpu(int fd)
{
	char p[64], l[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(p, l, sizeof l - 1);
	if (n <= 0)
		return 0;
	l[n] = 0;
	return strncmp(l, "anon_inode:kvm-vcpu", 19) == 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off_t);
	if (!real)
		real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	void *p = real(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && fd >= 0 && fd < ZX_MAX_FD && off == 0 && (flags & MAP_SHARED) &&
	    zx_is_vcpu(fd))
		zx_runs[fd] = p;
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
	int r = real(fd, req, arg);
	if (req == KVM_RUN && fd >= 0 && fd < ZX_MAX_FD && zx_runs[fd])
		memset((char *)zx_runs[fd] + 32, 0, 256);
	return r;
}

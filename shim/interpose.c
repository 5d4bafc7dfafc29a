/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * interpose.c - the libc entry points the shim wraps.  Each wrapper calls the
 * next definition and only keeps the fd table true: opens and closes free an
 * fd number, dups copy a role, a shared map of an unknown fd may adopt a
 * vCPU.  The VMM's own kvm_run mappings do not matter: the library works in
 * a mapping of its own (fdtable.c), so munmap and mremap are not wrapped.
 * The ioctl wrapper hands KVM requests to kvmioctl.c and everything else
 * straight on.  errno is whatever the real call left.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "real.h"
#include "export.h"
#include "fdtable.h"
#include "kvmioctl.h"
#include "wrap-open.h"

/* The wrappers below define both the plain and the 64 names. */
#undef mmap64
#undef fcntl64

/* A new fd number that is not a KVM object (yet). */
static inline int opened(int fd)
{
	if (fd >= 0) {
		int saved = errno;
		kvmrc_fdt_forget(fd);
		errno = saved;
	}
	return fd;
}

/* Each open: the next definition (or, before the libc table is ready, the
 * system call the libc would make), then the fd number is forgotten. */
#define SHIM_OPEN(nm, dirfd, path, flags, mode, lf, args)                      \
	if (!kvmrc_real_ready() || !kvmrc_real.nm)                             \
		return (int)syscall(SYS_openat, dirfd, path, (flags) | (lf), mode); \
	return opened(kvmrc_real.nm args);

WRAP_OPEN_ALL(KVMRC_EXPORT, SHIM_OPEN)

/*
 * A vfork()ed child shares our memory but has its own fd table: its closes
 * and dups must not change the table the parent's vCPUs live in.  Asked
 * (one getpid) only when the fd at stake is a KVM fd.
 */
static inline int foreign_caller(int fd)
{
	uintptr_t slot = kvmrc_fdt_get(fd);
	return slot && slot != KVMRC_SLOT_OTHER && syscall(SYS_getpid) != kvmrc_fdt_pid;
}

KVMRC_EXPORT int close(int fd)
{
	if (!kvmrc_real_ready() || !kvmrc_real.close)
		return (int)syscall(SYS_close, fd);
	/* Forget first: once the number is free another thread may reuse it. */
	if (!foreign_caller(fd))
		kvmrc_fdt_forget(fd);
	return kvmrc_real.close(fd);
}

/* Would closing [first, last] from this caller close a tracked KVM fd of
 * this process?  Not from a vfork child, not with CLOSE_RANGE_UNSHARE (the
 * caller's table is a private copy then), not for CLOEXEC. */
static int range_is_ours(unsigned int first, unsigned int last, int flags)
{
	if (flags & (CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE) || !kvmrc_fdt_ready())
		return 0;
	return syscall(SYS_getpid) == kvmrc_fdt_pid;
}

KVMRC_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	int saved = errno;
	/* Forget before the real call, as close does. */
	if (range_is_ours(first, last, flags))
		kvmrc_fdt_forget_range(first, last);
	errno = saved;
	if (!kvmrc_real_ready() || !kvmrc_real.close_range)
		return (int)syscall(SYS_close_range, first, last, flags);
	return kvmrc_real.close_range(first, last, flags);
}

KVMRC_EXPORT void closefrom(int lowfd)
{
	if (lowfd < 0)
		lowfd = 0;
	if (range_is_ours((unsigned int)lowfd, ~0u, 0))
		kvmrc_fdt_forget_range((unsigned int)lowfd, ~0u);
	if (kvmrc_real_ready() && kvmrc_real.closefrom)
		kvmrc_real.closefrom(lowfd);
	else
		syscall(SYS_close_range, (unsigned int)lowfd, ~0u, 0);
}

static inline int duped(int oldfd, int newfd)
{
	if (newfd >= 0 && !foreign_caller(oldfd) && !foreign_caller(newfd)) {
		int saved = errno;
		kvmrc_fdt_dup(oldfd, newfd);
		errno = saved;
	}
	return newfd;
}

KVMRC_EXPORT int dup(int fd)
{
	if (!kvmrc_real_ready() || !kvmrc_real.dup)
		return (int)syscall(SYS_dup, fd);
	return duped(fd, kvmrc_real.dup(fd));
}

KVMRC_EXPORT int dup2(int oldfd, int newfd)
{
	if (!kvmrc_real_ready() || !kvmrc_real.dup2)
		return (int)syscall(SYS_dup3, oldfd, newfd, 0);
	return duped(oldfd, kvmrc_real.dup2(oldfd, newfd));
}

KVMRC_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	if (!kvmrc_real_ready() || !kvmrc_real.dup3)
		return (int)syscall(SYS_dup3, oldfd, newfd, flags);
	return duped(oldfd, kvmrc_real.dup3(oldfd, newfd, flags));
}

static int fcntl_common(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
	int r;

	if (!kvmrc_real_ready() || !real)
		r = (int)syscall(SYS_fcntl, fd, cmd, arg);
	else
		r = real(fd, cmd, arg);
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		duped(fd, r);
	return r;
}

/* fcntl's third argument is an int or a pointer: one void * carries both,
 * as in glibc's own fcntl. */
KVMRC_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(kvmrc_real.fcntl, fd, cmd, arg);
}

KVMRC_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(kvmrc_real.fcntl64 ? kvmrc_real.fcntl64 : kvmrc_real.fcntl, fd, cmd, arg);
}

static inline void *mapped(void *addr, size_t len, int flags, int fd, off_t off)
{
	if (addr != MAP_FAILED && fd >= 0 && off == 0 && (flags & MAP_SHARED) && !kvmrc_fdt_get(fd)) {
		int saved = errno;
		kvmrc_after_mmap(len, flags, fd, off);
		errno = saved;
	}
	return addr;
}

KVMRC_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (!kvmrc_real_ready() || !kvmrc_real.mmap)
		return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	return mapped(kvmrc_real.mmap(addr, len, prot, flags, fd, off), len, flags, fd, off);
}

KVMRC_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	if (!kvmrc_real_ready() || !kvmrc_real.mmap64)
		return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	return mapped(kvmrc_real.mmap64(addr, len, prot, flags, fd, off), len, flags, fd, (off_t)off);
}

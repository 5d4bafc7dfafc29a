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
#include "sys.h"
#include "track.h"

/* The wrappers below define both the plain and the 64 names. */
#undef mmap64
#undef fcntl64

/* Each open: the next definition (or, before the libc table is ready, the
 * system call the libc would make), then the fd number is forgotten. */
#define SHIM_OPEN(nm, dirfd, path, flags, mode, lf, args)                      \
	if (!kvmrc_real_ready() || !kvmrc_real.nm)                             \
		return (int)kvmrc_sys(SYS_openat, dirfd, path, (flags) | (lf), mode); \
	return kvmrc_track_opened(kvmrc_real.nm args);

WRAP_OPEN_ALL(KVMRC_EXPORT, SHIM_OPEN)

KVMRC_EXPORT int close(int fd)
{
	if (!kvmrc_real_ready() || !kvmrc_real.close)
		return (int)kvmrc_sys(SYS_close, fd);
	/* Forget first: once the number is free another thread may reuse it. */
	if (!kvmrc_track_foreign(fd))
		kvmrc_fdt_forget(fd);
	return kvmrc_real.close(fd);
}

KVMRC_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	int saved = errno;
	/* Forget before the real call, as close does. */
	if (kvmrc_track_range_ours(first, last, flags))
		kvmrc_fdt_forget_range(first, last);
	errno = saved;
	if (!kvmrc_real_ready() || !kvmrc_real.close_range)
		return (int)kvmrc_sys(SYS_close_range, first, last, flags);
	return kvmrc_real.close_range(first, last, flags);
}

KVMRC_EXPORT void closefrom(int lowfd)
{
	if (lowfd < 0)
		lowfd = 0;
	if (kvmrc_track_range_ours((unsigned int)lowfd, ~0u, 0))
		kvmrc_fdt_forget_range((unsigned int)lowfd, ~0u);
	if (kvmrc_real_ready() && kvmrc_real.closefrom)
		kvmrc_real.closefrom(lowfd);
	else
		kvmrc_sys(SYS_close_range, (unsigned int)lowfd, ~0u, 0);
}

KVMRC_EXPORT int dup(int fd)
{
	if (!kvmrc_real_ready() || !kvmrc_real.dup)
		return (int)kvmrc_sys(SYS_dup, fd);
	return kvmrc_track_duped(fd, kvmrc_real.dup(fd));
}

KVMRC_EXPORT int dup2(int oldfd, int newfd)
{
	if (!kvmrc_real_ready() || !kvmrc_real.dup2)
		return (int)kvmrc_sys(SYS_dup3, oldfd, newfd, 0);
	return kvmrc_track_duped(oldfd, kvmrc_real.dup2(oldfd, newfd));
}

KVMRC_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	if (!kvmrc_real_ready() || !kvmrc_real.dup3)
		return (int)kvmrc_sys(SYS_dup3, oldfd, newfd, flags);
	return kvmrc_track_duped(oldfd, kvmrc_real.dup3(oldfd, newfd, flags));
}

static int fcntl_common(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
	int r;

	if (!kvmrc_real_ready() || !real)
		r = (int)kvmrc_sys(SYS_fcntl, fd, cmd, arg);
	else
		r = real(fd, cmd, arg);
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		kvmrc_track_duped(fd, r);
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

KVMRC_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (!kvmrc_real_ready() || !kvmrc_real.mmap)
		return (void *)kvmrc_sys(SYS_mmap, addr, len, prot, flags, fd, off);
	return kvmrc_track_mapped(kvmrc_real.mmap(addr, len, prot, flags, fd, off), len, flags, fd, off);
}

KVMRC_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	if (!kvmrc_real_ready() || !kvmrc_real.mmap64)
		return (void *)kvmrc_sys(SYS_mmap, addr, len, prot, flags, fd, off);
	return kvmrc_track_mapped(kvmrc_real.mmap64(addr, len, prot, flags, fd, off), len, flags, fd, (off_t)off);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * track.h - what a libc wrapper does to keep the fd table true around the
 * call it forwards: a new fd is no KVM object (yet), a close forgets, a dup
 * copies a role, a shared map of an unknown fd may adopt a vCPU.  Used by
 * the libc names (interpose.c) and by syscall() (interpose-syscall.c), so
 * both track alike.  errno is kept.
 */
#ifndef KVMRC_TRACK_H
#define KVMRC_TRACK_H

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include "fdtable.h"
#include "kvmioctl.h"
#include "sys.h"

/* A new fd number that is not a KVM object (yet). */
static inline int kvmrc_track_opened(int fd)
{
	if (fd >= 0) {
		int saved = errno;
		kvmrc_fdt_forget(fd);
		errno = saved;
	}
	return fd;
}

/*
 * A vfork()ed child shares our memory but has its own fd table: its closes
 * and dups must not change the table the parent's vCPUs live in.  Asked
 * (one getpid) only when the fd at stake is a KVM fd.
 */
static inline int kvmrc_track_foreign(int fd)
{
	uintptr_t slot = kvmrc_fdt_get(fd);
	return slot && slot != KVMRC_SLOT_OTHER && kvmrc_sys(SYS_getpid) != kvmrc_fdt_pid;
}

/* Would closing [first, last] from this caller close a tracked KVM fd of
 * this process?  Not from a vfork child, not with CLOSE_RANGE_UNSHARE (the
 * caller's table is a private copy then), not for CLOEXEC. */
static inline int kvmrc_track_range_ours(unsigned int first, unsigned int last, int flags)
{
	if (flags & (CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE) || !kvmrc_fdt_ready())
		return 0;
	return kvmrc_sys(SYS_getpid) == kvmrc_fdt_pid;
}

static inline int kvmrc_track_duped(int oldfd, int newfd)
{
	if (newfd >= 0 && !kvmrc_track_foreign(oldfd) && !kvmrc_track_foreign(newfd)) {
		int saved = errno;
		kvmrc_fdt_dup(oldfd, newfd);
		errno = saved;
	}
	return newfd;
}

static inline void *kvmrc_track_mapped(void *addr, size_t len, int flags, int fd, off_t off)
{
	if (addr != MAP_FAILED && fd >= 0 && off == 0 && (flags & MAP_SHARED) && !kvmrc_fdt_get(fd)) {
		int saved = errno;
		kvmrc_after_mmap(len, flags, fd, off);
		errno = saved;
	}
	return addr;
}

#endif

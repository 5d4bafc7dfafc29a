/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * interpose-syscall.c - syscall(), for VMMs that call syscall(SYS_ioctl, ...)
 * (or open, map, close and dup fds that way) instead of the libc names.
 *
 * The numbers the shim tracks take the path of their libc name: the same
 * tracking (track.h) around the same next definition (kvmrc_real), and
 * SYS_ioctl of a KVM request the ioctl entry's path (kvmioctl.c).  Every
 * other number, and a non-KVM ioctl, is the system call itself with the six
 * arguments, as glibc's syscall() makes it: a switch and a call more than libc.
 * SYS_munmap and SYS_mremap are forwarded untouched, as munmap and mremap
 * are: the shim works in kvm_run mappings of its own (fdtable.c).
 * Async-signal-safe, as syscall() is: no lock, no allocation here.
 *
 * Per arch: x86_64 also has SYS_open and SYS_dup2; arm64 and riscv64 have
 * neither (openat and dup3 only).  s390x's SYS_mmap takes a pointer to its
 * arguments (old_mmap): forwarded untracked there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "real.h"
#include "export.h"
#include "fdtable.h"
#include "kvmioctl.h"
#include "sys.h"
#include "track.h"

/* syscall() with its six arguments named (the assembler name is "syscall";
 * <unistd.h> says "..."): as in interpose-ioctl.c, on the ABIs the library
 * supports a variadic argument travels exactly where a named one does, and
 * reading them without va_list saves the register spill on every call. */
KVMRC_EXPORT long kvmrc_syscall_entry(long nr, long a, long b, long c, long d, long e, long f)
	__asm__("syscall");

/* An untracked number: the system call, -1 and errno as glibc's. */
static inline long sys_plain(long nr, long a, long b, long c, long d, long e, long f)
{
	long r = kvmrc_sys_raw(nr, a, b, c, d, e, f);
	if (__builtin_expect((unsigned long)r > -4096UL, 0)) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* The result of a libc-style call (-1 and errno) as syscall() returns it. */
#define VIA(ready, call) ((ready) ? (long)(call) : kvmrc_sys(nr, a, b, c, d, e, f))

static __attribute__((noinline)) long sys_ioctl(long nr, long a, long b, long c, long d, long e, long f)
{
	int fd = (int)a;
	IOCTL_REQUEST_TYPE req = (IOCTL_REQUEST_TYPE)b;
	uint32_t ionr = (uint32_t)b;

	if (_IOC_TYPE(ionr) != KVMIO || !kvmrc_real_ready())
		return kvmrc_sys(nr, a, b, c, d, e, f);
	if (ionr == KVM_RUN)
		return kvmrc_ioctl_run(fd, req, (void *)c);
	return kvmrc_ioctl_kvm(fd, ionr, req, (void *)c);
}

static __attribute__((noinline)) long sys_close(long nr, long a, long b, long c, long d, long e, long f)
{
	int fd = (int)a;
	if (!kvmrc_track_foreign(fd))
		kvmrc_fdt_forget(fd);
	return VIA(kvmrc_real_ready() && kvmrc_real.close, kvmrc_real.close(fd));
}

static __attribute__((noinline)) long sys_close_range(long nr, long a, long b, long c, long d, long e, long f)
{
	int saved = errno;
	if (kvmrc_track_range_ours((unsigned int)a, (unsigned int)b, (int)c))
		kvmrc_fdt_forget_range((unsigned int)a, (unsigned int)b);
	errno = saved;
	return VIA(kvmrc_real_ready() && kvmrc_real.close_range,
		   kvmrc_real.close_range((unsigned int)a, (unsigned int)b, (int)c));
}

static __attribute__((noinline)) long sys_dup(long nr, long a, long b, long c, long d, long e, long f)
{
	long r;
	switch (nr) {
	case SYS_dup:
		r = VIA(kvmrc_real_ready() && kvmrc_real.dup, kvmrc_real.dup((int)a));
		break;
#ifdef SYS_dup2
	case SYS_dup2:
		r = VIA(kvmrc_real_ready() && kvmrc_real.dup2, kvmrc_real.dup2((int)a, (int)b));
		break;
#endif
	default:
		r = VIA(kvmrc_real_ready() && kvmrc_real.dup3, kvmrc_real.dup3((int)a, (int)b, (int)c));
		break;
	}
	return kvmrc_track_duped((int)a, (int)r);
}

static __attribute__((noinline)) long sys_fcntl(long nr, long a, long b, long c, long d, long e, long f)
{
	long r = VIA(kvmrc_real_ready() && kvmrc_real.fcntl, kvmrc_real.fcntl((int)a, (int)b, (void *)c));
	if ((int)b == F_DUPFD || (int)b == F_DUPFD_CLOEXEC)
		kvmrc_track_duped((int)a, (int)r);
	return r;
}

static __attribute__((noinline)) long sys_open(long nr, long a, long b, long c, long d, long e, long f)
{
	long r;
#ifdef SYS_open
	if (nr == SYS_open)
		r = VIA(kvmrc_real_ready() && kvmrc_real.open,
			kvmrc_real.open((const char *)a, (int)b, (mode_t)c));
	else
#endif
		r = VIA(kvmrc_real_ready() && kvmrc_real.openat,
			kvmrc_real.openat((int)a, (const char *)b, (int)c, (mode_t)d));
	return kvmrc_track_opened((int)r);
}

static __attribute__((noinline)) long sys_mmap(long nr, long a, long b, long c, long d, long e, long f)
{
	void *p = (void *)VIA(kvmrc_real_ready() && kvmrc_real.mmap,
			      kvmrc_real.mmap((void *)a, (size_t)b, (int)c, (int)d, (int)e, (off_t)f));
	return (long)kvmrc_track_mapped(p, (size_t)b, (int)d, (int)e, (off_t)f);
}

KVMRC_EXPORT long kvmrc_syscall_entry(long nr, long a, long b, long c, long d, long e, long f)
{
	switch (nr) {
	case SYS_ioctl:
		return sys_ioctl(nr, a, b, c, d, e, f);
	case SYS_close:
		return sys_close(nr, a, b, c, d, e, f);
#ifdef SYS_close_range
	case SYS_close_range:
		return sys_close_range(nr, a, b, c, d, e, f);
#endif
	case SYS_dup:
#ifdef SYS_dup2
	case SYS_dup2:
#endif
	case SYS_dup3:
		return sys_dup(nr, a, b, c, d, e, f);
	case SYS_fcntl:
		return sys_fcntl(nr, a, b, c, d, e, f);
#ifdef SYS_open
	case SYS_open:
#endif
	case SYS_openat:
		return sys_open(nr, a, b, c, d, e, f);
#if !defined(__s390x__)
	case SYS_mmap:
		return sys_mmap(nr, a, b, c, d, e, f);
#endif
	default: /* SYS_munmap, SYS_mremap and everything else */
		return sys_plain(nr, a, b, c, d, e, f);
	}
}

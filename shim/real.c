/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * real.c - resolves the next definition of each wrapped libc function.
 *
 * dlsym() may allocate, and an allocator may call mmap() or open(): those
 * calls land in our wrappers while resolution is under way.  A thread-local
 * flag tells the wrappers to use raw system calls until it is done, so
 * bootstrap never recurses and never depends on malloc.
 */
#include <dlfcn.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "real.h"
#include "sys.h"

struct kvmrc_real kvmrc_real;
static __thread int resolving;

#define RESOLVE(field, name) \
	kvmrc_real.field = (__typeof__(kvmrc_real.field))dlsym(RTLD_NEXT, name)

/* The library's own KVM ioctls (capability probes, the FAIL_ENTRY register
 * read) go to the next definition, never through our wrapper. */
int kvmrc_next_ioctl(int fd, unsigned long req, void *arg)
{
	return kvmrc_real_ready() ? kvmrc_real.ioctl(fd, (IOCTL_REQUEST_TYPE)req, arg)
				  : (int)kvmrc_sys(SYS_ioctl, fd, req, arg);
}

int kvmrc_real_resolve(void)
{
	if (__atomic_load_n(&kvmrc_real.ioctl, __ATOMIC_ACQUIRE))
		return 1;
	if (resolving)
		return 0;
	resolving = 1;
	/* Racing threads store the same pointers; ioctl is stored last and
	 * published with release order, the others are then visible. */
	RESOLVE(open, "open");
	RESOLVE(open64, "open64");
	RESOLVE(openat, "openat");
	RESOLVE(openat64, "openat64");
	RESOLVE(open_2, "__open_2");
	RESOLVE(open64_2, "__open64_2");
	RESOLVE(openat_2, "__openat_2");
	RESOLVE(openat64_2, "__openat64_2");
	RESOLVE(mmap, "mmap");
	RESOLVE(mmap64, "mmap64");
	RESOLVE(close, "close");
	RESOLVE(dup, "dup");
	RESOLVE(dup2, "dup2");
	RESOLVE(dup3, "dup3");
	RESOLVE(fcntl, "fcntl");
	RESOLVE(fcntl64, "fcntl64");
	RESOLVE(close_range, "close_range");
	RESOLVE(closefrom, "closefrom");
	RESOLVE(sigaction, "sigaction");
	RESOLVE(signal, "signal");
	RESOLVE(bsd_signal, "bsd_signal");
	RESOLVE(sysv_signal, "__sysv_signal");
	RESOLVE(sigset, "sigset");
	RESOLVE(execve, "execve");
	RESOLVE(execv, "execv");
	RESOLVE(execvp, "execvp");
	RESOLVE(execvpe, "execvpe");
	RESOLVE(fexecve, "fexecve");
	RESOLVE(execveat, "execveat");
	RESOLVE(exit_, "_exit");
	void *io = dlsym(RTLD_NEXT, "ioctl");
	resolving = 0;
	if (!io)
		return 0; /* no libc ioctl: wrappers keep using raw system calls */
	__atomic_store_n((void **)&kvmrc_real.ioctl, io, __ATOMIC_RELEASE);
	return 1;
}

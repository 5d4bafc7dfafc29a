/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-interpose.c - the libc entry points libkvmrun-emu replaces.
 *
 * Only these names are exported (-fvisibility=hidden + EMU_API).  Each
 * either handles the emulated /dev/kvm (path "/dev/kvm" or an fd naming an
 * emulated object) or forwards to the next definition, dlsym(RTLD_NEXT), so
 * that a preload stacked above (the shim) and below (libc) both work.
 * The stat family, access and readlink are in emu-stat.c.
 */
#undef _FORTIFY_SOURCE
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "emu.h"
#include "wrap-open.h"

#define KVM_PATH "/dev/kvm"

struct emu_real emu_real;

static int (*r_open)(const char *, int, ...);
static int (*r_open64)(const char *, int, ...);
static int (*r_openat)(int, const char *, int, ...);
static int (*r_openat64)(int, const char *, int, ...);
static int (*r_open_2)(const char *, int);
static int (*r_open64_2)(const char *, int);
static int (*r_openat_2)(int, const char *, int);
static int (*r_openat64_2)(int, const char *, int);
static int (*r_dup)(int);
static int (*r_dup2)(int, int);
static int (*r_dup3)(int, int, int);
static int (*r_fcntl64)(int, int, ...);
static int (*r_close_range)(unsigned int, unsigned int, int);
static void (*r_closefrom)(int);

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

#define NEXT(var, name) (*(void **)&(var) = dlsym(RTLD_NEXT, name))

static void do_init(void)
{
	emu_stat_init();
	NEXT(emu_real.open, "open");
	r_open = emu_real.open;
	NEXT(emu_real.close, "close");
	NEXT(emu_real.ioctl, "ioctl");
	NEXT(emu_real.fstat, "fstat");
	NEXT(emu_real.fcntl, "fcntl");
	NEXT(emu_real.syscall, "syscall");
	NEXT(r_open64, "open64");
	NEXT(r_openat, "openat");
	NEXT(r_openat64, "openat64");
	NEXT(r_open_2, "__open_2");
	NEXT(r_open64_2, "__open64_2");
	NEXT(r_openat_2, "__openat_2");
	NEXT(r_openat64_2, "__openat64_2");
	NEXT(r_dup, "dup");
	NEXT(r_dup2, "dup2");
	NEXT(r_dup3, "dup3");
	NEXT(r_fcntl64, "fcntl64");
	NEXT(r_close_range, "close_range");
	NEXT(r_closefrom, "closefrom");
}

void emu_real_init(void)
{
	pthread_once(&init_once, do_init);
}

__attribute__((constructor)) static void emu_ctor(void)
{
	emu_real_init();
}

#define NEED(fp) do { emu_real_init(); if (!(fp)) return emu_err(ENOSYS); } while (0)

static int is_kvm_path(const char *path)
{
	return path && strcmp(path, KVM_PATH) == 0;
}


/* ---------------------------------------------------------------- open */

/* /dev/kvm is ours; every other path goes to the next definition. */
#define EMU_OPEN(nm, dirfd, path, flags, mode, lf, args)                       \
	(void)(dirfd);                                                         \
	if (is_kvm_path(path))                                                 \
		return emu_open_dev(flags);                                    \
	NEED(r_##nm);                                                          \
	return r_##nm args;

WRAP_OPEN_ALL(EMU_API, EMU_OPEN)

/* ------------------------------------------------------ close and dup */

EMU_API int close(int fd)
{
	NEED(emu_real.close);
	emu_fd_drop(fd);	/* before: the number may be reused at once */
	return emu_real.close(fd);
}

EMU_API int close_range(unsigned int first, unsigned int last, int flags)
{
	NEED(r_close_range);
	if (!(flags & CLOSE_RANGE_CLOEXEC))
		for (unsigned int fd = first; fd <= last && fd < 65536; fd++)
			emu_fd_drop((int)fd);
	return r_close_range(first, last, flags);
}

EMU_API void closefrom(int lowfd)
{
	emu_real_init();
	for (int fd = lowfd < 0 ? 0 : lowfd; fd < 65536; fd++)
		emu_fd_drop(fd);
	if (r_closefrom)
		r_closefrom(lowfd);
}

EMU_API int dup(int fd)
{
	NEED(r_dup);
	int r = r_dup(fd);
	if (r >= 0)
		emu_fd_dup(fd, r);
	return r;
}

EMU_API int dup2(int fd, int newfd)
{
	NEED(r_dup2);
	int r = r_dup2(fd, newfd);
	if (r >= 0)
		emu_fd_dup(fd, r);
	return r;
}

EMU_API int dup3(int fd, int newfd, int flags)
{
	NEED(r_dup3);
	int r = r_dup3(fd, newfd, flags);
	if (r >= 0)
		emu_fd_dup(fd, r);
	return r;
}

static int fcntl_common(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
	int r = real(fd, cmd, arg);
	if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		emu_fd_dup(fd, r);
	return r;
}

EMU_API int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	NEED(emu_real.fcntl);
	return fcntl_common(emu_real.fcntl, fd, cmd, arg);
}

EMU_API int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	NEED(r_fcntl64);
	return fcntl_common(r_fcntl64, fd, cmd, arg);
}

/* --------------------------------------------------------------- ioctl */

EMU_API int ioctl(int fd, IOCTL_REQUEST_TYPE request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	unsigned long req = (unsigned int)request;

	struct emu_obj *o = emu_fd_get(fd);
	if (!o && _IOC_TYPE(req) == KVMIO)
		o = emu_fd_lookup(fd);
	if (o)
		return emu_supervised() ? emu_supervised_ioctl(o, fd, req, arg) : emu_ioctl(o, fd, req, arg);
	NEED(emu_real.ioctl);
	return emu_real.ioctl(fd, request, arg);
}

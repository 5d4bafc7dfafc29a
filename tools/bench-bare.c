/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-bare.c - the cheapest possible ioctl interposer: dlsym(RTLD_NEXT)
 * once, then forward.  make bench measures the shim against it, so its
 * figures say what the shim's own work costs beyond interposing at all.
 * Built for the benchmark only, never installed.
 */
#include <dlfcn.h>

int ioctl(int fd, unsigned long req, void *arg);

static int (*next_ioctl)(int, unsigned long, void *);

__attribute__((visibility("default"))) int ioctl(int fd, unsigned long req, void *arg)
{
	int (*f)(int, unsigned long, void *) = __atomic_load_n(&next_ioctl, __ATOMIC_ACQUIRE);

	if (__builtin_expect(!f, 0)) {
		f = (int (*)(int, unsigned long, void *))dlsym(RTLD_NEXT, "ioctl");
		__atomic_store_n(&next_ioctl, f, __ATOMIC_RELEASE);
	}
	return f(fd, req, arg);
}

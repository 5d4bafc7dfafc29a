/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake-munmap.c - a test preload placed below the shim: munmap() unmaps,
 * then runs a hook the test program set.  It makes the interleaving of
 * issue "lost sanitization under threads" happen every time: another
 * thread maps a new kvm_run at the address just freed, before whatever the
 * layer above munmap does after the real call.  Never installed.
 */
#include <dlfcn.h>
#include <stddef.h>

void (*fake_munmap_hook)(void *addr);

int munmap(void *addr, size_t len);

__attribute__((visibility("default"))) int munmap(void *addr, size_t len)
{
	static int (*next)(void *, size_t);
	if (!next)
		next = (int (*)(void *, size_t))dlsym(RTLD_NEXT, "munmap");
	int r = next(addr, len);
	void (*hook)(void *) = fake_munmap_hook;
	if (r == 0 && hook) {
		fake_munmap_hook = NULL;
		hook(addr);
	}
	return r;
}

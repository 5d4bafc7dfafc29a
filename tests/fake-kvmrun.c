/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake-kvmrun.c - a test preload placed below the shim: the first KVM_RUN
 * runs a hook the test program set, then goes on to the next ioctl (the
 * emulator), or answers every KVM_RUN itself.  For the layer above, the hook runs inside the real call: it
 * can close the vCPU's fd and create another while the call is in flight,
 * every time.  Never installed.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <linux/kvm.h>

void (*fake_kvmrun_hook)(int fd);
/* Set: every KVM_RUN is answered by it instead of the next ioctl (a kernel
 * of the test's making; tests/diff-paths.c). */
int (*fake_kvmrun_kernel)(int fd, void *arg);

int ioctl(int fd, unsigned long req, ...);

__attribute__((visibility("default"))) int ioctl(int fd, unsigned long req, ...)
{
	static int (*next)(int, unsigned long, ...);
	va_list ap;

	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (!next)
		next = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	void (*hook)(int) = fake_kvmrun_hook;
	if ((unsigned int)req == KVM_RUN && hook) {
		fake_kvmrun_hook = NULL;
		hook(fd);
	}
	int (*kernel)(int, void *) = fake_kvmrun_kernel;
	if ((unsigned int)req == KVM_RUN && kernel)
		return kernel(fd, arg);
	return next(fd, req, arg);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-supervised.c - the emulator under kvmrun-compat's supervisor, in the
 * explicit test mode KVMEMU_SUPERVISED=1 (protocol: tools/supervise/sv-test.h).
 * Without it nothing here runs.
 *
 * In the traced VMM: each emulated KVM_CREATE_VM, KVM_CREATE_VCPU,
 * KVM_ARM_VCPU_INIT, KVM_RUN, KVM_CHECK_EXTENSION and KVM_ENABLE_CAP (the
 * last two stopped only with --abi) is preceded by the same ioctl as a raw system
 * call on the emulated object's memfd (the kernel fails it: ENOTTY) and
 * followed by ioctl(fd, SV_TEST_RESULT, result), whose return value, set by
 * the supervisor, is what the VMM gets.
 * In the supervisor (which inherits the same preload and environment): its
 * copies of the VMM's emulated /dev/kvm and VM fds are recognised by their
 * memfd names and answer from the same profile, so that its capability
 * probe gets what the preload's gets in the VMM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "../supervise/sv-test.h"
#include "emu.h"

int emu_supervised(void)
{
	static int on = -1;

	if (__atomic_load_n(&on, __ATOMIC_RELAXED) < 0) {
		const char *v = getenv("KVMEMU_SUPERVISED");
		__atomic_store_n(&on, v && !strcmp(v, "1"), __ATOMIC_RELAXED);
	}
	return __atomic_load_n(&on, __ATOMIC_RELAXED);
}

int emu_supervised_ioctl(struct emu_obj *o, int fd, unsigned long req, void *arg)
{
	unsigned int nr = (unsigned int)req;
	int seen = (o->kind == EO_SYSTEM && nr == (unsigned int)KVM_CREATE_VM) ||
		   (o->kind == EO_VM && nr == (unsigned int)KVM_CREATE_VCPU) ||
		   nr == (unsigned int)KVM_CHECK_EXTENSION || /* --abi under the supervisor */
		   (o->kind != EO_SYSTEM && nr == (unsigned int)KVM_ENABLE_CAP) ||
		   (o->kind == EO_VCPU && (nr == (unsigned int)KVM_RUN || nr == (unsigned int)KVMRC_ARM_VCPU_INIT));

	if (!seen)
		return emu_ioctl(o, fd, req, arg);
	int e = errno;
	/* libc's syscall(): a supervisor that holds the preload's sources
	 * wraps syscall() too, and its wrapper would come back here */
	emu_real.syscall(SYS_ioctl, fd, req, arg); /* the before half; a memfd has no ioctls */
	errno = e;
	int r = emu_ioctl(o, fd, req, arg);
	long res = r < 0 ? -(long)errno : r;
	long fin = emu_real.syscall(SYS_ioctl, fd, SV_TEST_RESULT, res);
	if (fin == -1 && errno == ENOTTY) /* no supervisor: the emulator's own result */
		fin = res;
	else if (fin == -1)
		fin = -(long)errno;
	if (fin < 0) {
		errno = (int)-fin;
		return -1;
	}
	errno = e;
	return (int)fin;
}

struct emu_obj *emu_supervised_adopt(int fd)
{
	static struct emu_system *shadow;
	char path[40], t[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, t, sizeof(t) - 1);
	if (n <= 0)
		return NULL;
	t[n] = 0;
	enum emu_obj_kind kind;
	if (!strncmp(t, "/memfd:kvmemu-dev", 17))
		kind = EO_SYSTEM;
	else if (!strncmp(t, "/memfd:kvmemu-vm", 16))
		kind = EO_VM;
	else
		return NULL;
	if (!__atomic_load_n(&shadow, __ATOMIC_ACQUIRE)) {
		struct emu_system *s = emu_system_new(0), *none = NULL;
		if (!s)
			return NULL;
		if (!__atomic_compare_exchange_n(&shadow, &none, s, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			free(s); /* another thread won (its scenario leaks: test mode only) */
	}
	struct emu_obj *o = emu_obj_new(kind, fd);
	if (!o)
		return NULL;
	o->sys = shadow;
	emu_fd_set(fd, o);
	return o;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * interpose-signal.c - sigaction() and the signal() family, for SIGSYS only
 * and only while --raw-syscalls is armed (rawsys.c): the shim's handler stays
 * installed, the VMM's disposition is kept aside and chained to for every
 * SIGSYS that is not an inline KVM_RUN, and the VMM asking for SIGSYS's
 * disposition gets its own.  Every other call goes straight on.
 *
 * glibc's signal(), bsd_signal(), sysv_signal() and sigset() reach the kernel
 * without calling sigaction() through the PLT, so each is wrapped.
 * sigset(SIGSYS, SIG_HOLD) blocks SIGSYS: the kernel then kills a thread whose
 * inline KVM_RUN traps (a forced signal that is blocked).  A runtime that
 * calls rt_sigaction itself (Go) is not seen here (cookie.c says so).  The
 * kept disposition is the library's, not the kernel's: a program the VMM
 * executes starts with SIGSYS at its default even if the VMM ignored it.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include "rawsys.h"
#include "real.h"
#include "export.h"
#include "sys.h"

#undef signal
#undef sigset

KVMRC_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
KVMRC_EXPORT sighandler_t signal(int sig, sighandler_t h);
KVMRC_EXPORT sighandler_t bsd_signal(int sig, sighandler_t h);
KVMRC_EXPORT sighandler_t sysv_signal(int sig, sighandler_t h);
KVMRC_EXPORT sighandler_t __sysv_signal(int sig, sighandler_t h);
KVMRC_EXPORT sighandler_t sigset(int sig, sighandler_t h);

/* A SIGSYS disposition the VMM sets while armed: kept, never installed. */
static sighandler_t keep(sighandler_t h, int flags)
{
	struct sigaction act, prev;
	memset(&act, 0, sizeof(act));
	act.sa_handler = h;
	act.sa_flags = flags;
	sigemptyset(&act.sa_mask);
	kvmrc_rawsys_vmm_get(&prev);
	kvmrc_rawsys_vmm_set(&act);
	return prev.sa_handler;
}

KVMRC_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (__builtin_expect(sig == SIGSYS, 0) && kvmrc_rawsys_armed()) {
		struct sigaction prev;
		kvmrc_rawsys_vmm_get(&prev);
		if (act)
			kvmrc_rawsys_vmm_set(act);
		if (old)
			*old = prev;
		return 0;
	}
	if (!kvmrc_real_ready() || !kvmrc_real.sigaction) {
		errno = ENOSYS; /* only while dlsym itself runs: nothing installs handlers there */
		return -1;
	}
	return kvmrc_real.sigaction(sig, act, old);
}

#define SIGNAL_WRAPPER(name, field, flags)                                     \
	KVMRC_EXPORT sighandler_t name(int sig, sighandler_t h)                \
	{                                                                      \
		if (sig == SIGSYS && kvmrc_rawsys_armed() && h != SIG_ERR)     \
			return keep(h, flags);                                 \
		if (!kvmrc_real_ready() || !kvmrc_real.field) {                \
			errno = ENOSYS;                                        \
			return SIG_ERR;                                        \
		}                                                              \
		return kvmrc_real.field(sig, h);                               \
	}

SIGNAL_WRAPPER(signal, signal, SA_RESTART)
SIGNAL_WRAPPER(bsd_signal, bsd_signal, SA_RESTART)
SIGNAL_WRAPPER(sysv_signal, sysv_signal, SA_RESETHAND | SA_NODEFER)
SIGNAL_WRAPPER(__sysv_signal, sysv_signal, SA_RESETHAND | SA_NODEFER)

KVMRC_EXPORT sighandler_t sigset(int sig, sighandler_t h)
{
	if (sig == SIGSYS && kvmrc_rawsys_armed() && h != SIG_ERR && h != SIG_HOLD) {
		unsigned long set = 1ul << (SIGSYS - 1);
		kvmrc_sys(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8);
		return keep(h, 0);
	}
	if (!kvmrc_real_ready() || !kvmrc_real.sigset) {
		errno = ENOSYS;
		return SIG_ERR;
	}
	return kvmrc_real.sigset(sig, h);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cookie.c - the shim's own KVM_RUN while --raw-syscalls is armed (cookie.h). */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include "cookie.h"
#include "log.h"
#include "sys.h"

uint64_t kvmrc_cookie_value;
int kvmrc_cookie_direct;
void *kvmrc_cookie_handler;

__attribute__((noinline)) int kvmrc_cookie_run(int fd, unsigned long req, void *arg)
{
	long r = kvmrc_sys_raw(SYS_ioctl, fd, (long)req, (long)arg, (long)kvmrc_cookie_value, 0, 0);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (int)r;
}

void kvmrc_cookie_check_handler(void)
{
	unsigned long k[4] = { 0 }; /* the kernel's struct sigaction: the handler first */

	if (!kvmrc_cookie_handler || kvmrc_sys(SYS_rt_sigaction, SIGSYS, NULL, k, 8) != 0 ||
	    k[0] == (unsigned long)kvmrc_cookie_handler)
		return;
	kvmrc_log_once(KVMRC_LOG_WARN, "--raw-syscalls: the SIGSYS handler was replaced behind the libc "
		       "wrappers (a raw rt_sigaction, as the Go runtime makes): inline KVM_RUNs are not "
		       "scrubbed and may kill the VMM; run it under kvmrun-compat --supervise instead");
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sv-regs.c - a traced thread's system call result, per architecture.  Used
 * off the common path only: when the FAIL_ENTRY policy changes a KVM_RUN's
 * result, and to refuse ptrace().
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include "sv.h"

#if defined(__x86_64__)
int sv_regs_set_return(pid_t tid, long val)
{
	struct user_regs_struct r;

	if (ptrace(PTRACE_GETREGS, tid, 0, &r))
		return -errno;
	r.rax = (unsigned long)val;
	return ptrace(PTRACE_SETREGS, tid, 0, &r) ? -errno : 0;
}

int sv_regs_skip(pid_t tid, long val)
{
	struct user_regs_struct r;

	if (ptrace(PTRACE_GETREGS, tid, 0, &r))
		return -errno;
	r.orig_rax = (unsigned long)-1;
	r.rax = (unsigned long)val;
	return ptrace(PTRACE_SETREGS, tid, 0, &r) ? -errno : 0;
}
#elif defined(__aarch64__)
#ifndef NT_ARM_SYSTEM_CALL
#define NT_ARM_SYSTEM_CALL 0x404
#endif
int sv_regs_set_return(pid_t tid, long val)
{
	struct user_regs_struct r;
	struct iovec io = { &r, sizeof(r) };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &io))
		return -errno;
	r.regs[0] = (uint64_t)val;
	return ptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &io) ? -errno : 0;
}

int sv_regs_skip(pid_t tid, long val)
{
	int nr = -1;
	struct iovec io = { &nr, sizeof(nr) };

	if (ptrace(PTRACE_SETREGSET, tid, (void *)NT_ARM_SYSTEM_CALL, &io))
		return -errno;
	return sv_regs_set_return(tid, val);
}
#else
int sv_regs_set_return(pid_t tid, long val)
{
	(void)tid, (void)val;
	return -ENOSYS;
}

int sv_regs_skip(pid_t tid, long val)
{
	(void)tid, (void)val;
	return -ENOSYS;
}
#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmm-filter.c - the test VMM as Firecracker runs its vCPUs (vmm <cpu>
 * filter[=forbidden]): the scenarios run on a thread of their own that first
 * installs a per-thread seccomp filter (seccomp(2) without TSYNC, raw BPF,
 * no libseccomp), as Firecracker's vCPU threads do before their run loop:
 *
 *   default action SECCOMP_RET_TRAP (Firecracker's default for its vmm and
 *   vcpu filters), whose SIGSYS handler prints one line and exits 148
 *   (Firecracker's exit code for a bad syscall);
 *   allowed: ioctl with a KVM request (type 0xAE: KVM_RUN and the set-up
 *   calls of the scenarios), and what the thread needs to print, map and
 *   end: read, write, writev, close, mmap, munmap, mprotect, madvise, brk,
 *   futex, rt_sigprocmask, rt_sigreturn, rseq, exit, exit_group;
 *   a call of another architecture is killed.
 *
 * Under the supervisor, whose filter stops KVM_RUN with SECCOMP_RET_TRACE,
 * the kernel takes the strictest action of the stacked filters: the
 * KVM_RUNs this filter allows still stop for the supervisor (the bytes are
 * the preload's), and what it forbids still traps.  filter=forbidden is the
 * control: the thread calls getppid(), which the filter forbids, and must
 * not get past it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include "vmm-common.h"

#if defined(__x86_64__)
#define FILTER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FILTER_ARCH AUDIT_ARCH_AARCH64
#endif
#ifndef SYS_rseq
#define SYS_rseq -1
#endif

#define ALLOW_NR(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char line[96];
	(void)sig, (void)uc;
	int n = snprintf(line, sizeof line, "FILTER-SIGSYS nr=%d: the VMM's filter forbids it\n", si->si_syscall);
	if (n > 0 && write(1, line, (size_t)n) < 0)
		_exit(148);
	_exit(148);
}

static int install(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FILTER_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* ioctl: only a KVM request (_IOC_TYPE 0xAE), compared on the low 32 bits */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff00),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, KVMIO << 8, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		ALLOW_NR(SYS_read), ALLOW_NR(SYS_write), ALLOW_NR(SYS_writev), ALLOW_NR(SYS_close),
		ALLOW_NR(SYS_mmap), ALLOW_NR(SYS_munmap), ALLOW_NR(SYS_mprotect), ALLOW_NR(SYS_madvise),
		ALLOW_NR(SYS_brk), ALLOW_NR(SYS_futex), ALLOW_NR(SYS_rt_sigprocmask),
		ALLOW_NR(SYS_rt_sigreturn), ALLOW_NR(SYS_rseq), ALLOW_NR(SYS_exit), ALLOW_NR(SYS_exit_group),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof f / sizeof f[0]), f };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return fail("setup", "sigaction(SIGSYS)");
	/* Firecracker runs unprivileged: NO_NEW_PRIVS, then the filter on this thread only */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail("setup", "PR_SET_NO_NEW_PRIVS");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return fail("setup", "seccomp(SECCOMP_SET_MODE_FILTER)");
	return 0;
}

struct job {
	void (*run)(void);
	int forbidden;
	int ret;
};

static void *vcpu_thread(void *arg)
{
	struct job *j = arg;

	j->ret = install();
	if (j->ret < 0)
		return NULL;
	if (j->forbidden) {
		long r = syscall(SYS_getppid); /* traps: the handler exits 148 */
		out("FILTER-ESCAPED getppid r=%ld: the VMM's filter did not act", r);
		j->ret = -1;
		return NULL;
	}
	j->run();
	return NULL;
}

int vmm_filter_run(void (*run)(void), const char *mode)
{
	struct job j = { run, mode && !strcmp(mode, "forbidden"), 0 };
	pthread_t t;

	if (pthread_create(&t, NULL, vcpu_thread, &j) != 0 || pthread_join(t, NULL) != 0)
		return fail("setup", "vCPU thread");
	return j.ret;
}

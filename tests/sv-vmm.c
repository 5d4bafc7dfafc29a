/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sv-vmm.c - a small dynamic VMM for the supervisor tests
 * (tests/test-supervise.sh), run on the user-space KVM emulator.
 *
 *   sv-vmm MODE [N]
 *
 * Each KVM_RUN is preceded by filling the exit union with 0xa5 (nothing is
 * pending: MMIO writes and system events have no completion input); after
 * it, the bytes still 0xa5 were written by nobody.  A line per run:
 *   run vcpu=I r=R errno=E reason=X stale=S union=HEX(first 32 bytes)
 * With the shim or the supervisor stale is 0; without, it is not.  A run
 * that returns -1/EINTR without a new exit_reason entered nothing and is not
 * counted (the library keeps the last exit there, as the kernel does).
 * MODE:
 *   plain      one vCPU, N runs (default 4)
 *   threads    N vCPU threads, 50 runs each, 5 of them with immediate_exit
 *              set (-1/EINTR), kicked by SIGUSR1 from the main thread (the
 *              handler sets immediate_exit: more EINTR runs); one summary
 *              line per thread on stdout, deterministic
 *   fork       2 runs, then a fork()ed child makes its own VM and runs 2
 *   exec       2 runs, then exec()s itself as "plain 2"
 *   _exit|_Exit|exit_group
 *              N runs (default 4), then _exit(0), _Exit(0) or
 *              syscall(SYS_exit_group, 0): no destructor runs
 *   exec-inherit  2 runs, then the vCPU fd is made not close-on-exec and
 *              the VMM exec()s itself as "inherited FD": it maps the
 *              inherited vCPU fd and runs it twice (real KVM only: the
 *              emulator's vCPUs do not outlive exec)
 *   moved      1 run, then the vCPU fd moves four times, the old number
 *              closed each time, one run after each: fcntl F_DUPFD,
 *              fcntl F_DUPFD_CLOEXEC, dup, dup3
 *   filter-trap|filter-errno|filter-kill
 *              a Firecracker-style filter on the vCPU thread: default action
 *              SIGSYS / EPERM / kill, ioctl and what the VMM needs allowed;
 *              then 2 runs and one disallowed getppid()
 *   filter-exit  the same filter (kill, clock_gettime allowed too: where
 *              the clocksource has no vDSO it is a system call), N runs
 *              (default 4), then _exit(0) from the filtered thread
 *   nodumpable PR_SET_DUMPABLE 0 before /dev/kvm is opened; 2 runs
 *   late       PR_SET_DUMPABLE 0 after the vCPU is created; 2 runs
 *   deny-seccomp|deny-ptrace CMD...
 *              exec()s CMD with seccomp(2) (and prctl PR_SET_SECCOMP) or
 *              ptrace(2) failing with EINVAL / EPERM: no filters, no tracing
 *   ptrace     2 runs, then ptrace(PTRACE_TRACEME); prints its errno
 *   killself   1 run, then SIGKILL to itself
 *   pause      1 run, prints "paused", then waits for a signal
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <linux/kvm.h>
#if HAVE_SECCOMP
#include <seccomp.h>
#endif
#include "kvmrun-compat-uapi.h"

#define UNION_OFF 32
#define UNION_LEN 256

struct vcpu {
	int kvm, vm, fd, id;
	struct kvm_run *run;
	pthread_t thr;
	volatile int kicks;
	int stale, eintr, runs;
};

static void die(const char *what)
{
	printf("error %s: %s\n", what, strerror(errno));
	exit(3);
}

static void vcpu_open(struct vcpu *c, int id)
{
	c->id = id;
	if ((c->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
		die("open /dev/kvm");
	if ((c->vm = ioctl(c->kvm, KVM_CREATE_VM, 0)) < 0)
		die("KVM_CREATE_VM");
	if ((c->fd = ioctl(c->vm, KVM_CREATE_VCPU, 0)) < 0)
		die("KVM_CREATE_VCPU");
	int sz = ioctl(c->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	c->run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED)
		die("mmap");
	struct kvmrc_arm64_vcpu_init init = { .target = 5 }; /* ignored on x86 profiles: fails there */
	ioctl(c->fd, KVMRC_ARM_VCPU_INIT, &init);
}

/* One KVM_RUN; returns the number of stale bytes. */
static int vcpu_run(struct vcpu *c, int print)
{
	uint8_t *u = (uint8_t *)c->run + UNION_OFF;
	memset(u, 0xa5, UNION_LEN);
	uint32_t reason = c->run->exit_reason;
	int r = ioctl(c->fd, KVM_RUN, 0), e = r ? errno : 0, stale = 0;
	/* -1/EINTR with exit_reason unchanged entered nothing: the page is
	 * as the VMM left it (the last exit's bytes are kept), not an exit */
	for (int i = 0; i < UNION_LEN && !(e == EINTR && c->run->exit_reason == reason); i++)
		stale += u[i] == 0xa5;
	c->runs++;
	c->stale += stale;
	if (e == EINTR) {
		c->eintr++;
		c->run->immediate_exit = 0;
	}
	if (print) {
		printf("run vcpu=%d r=%d errno=%d reason=%u stale=%d union=", c->id, r, e, c->run->exit_reason, stale);
		for (int i = 0; i < 32; i++)
			printf("%02x", u[i]);
		printf("\n");
	}
	return stale;
}

static struct vcpu vcpus[8];

static void on_kick(int sig)
{
	(void)sig;
	for (int i = 0; i < 8; i++)
		if (vcpus[i].run && pthread_equal(vcpus[i].thr, pthread_self())) {
			vcpus[i].run->immediate_exit = 1;
			vcpus[i].kicks++;
		}
}

static void *thread_main(void *arg)
{
	struct vcpu *c = arg;
	for (int i = 0; i < 50; i++) {
		if (i % 10 == 5)
			c->run->immediate_exit = 1; /* as a kick just before entry leaves it */
		vcpu_run(c, 0);
	}
	return NULL;
}

static void on_sigsys(int sig)
{
	(void)sig;
	static const char m[] = "SIGSYS caught\n";
	if (write(1, m, sizeof(m) - 1) < 0)
		_exit(4);
}

static int deny(char **argv)
{
#if HAVE_SECCOMP
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!strcmp(argv[1], "deny-ptrace")) {
		seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ptrace), 0);
	} else {
		seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(seccomp), 0);
		seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(prctl), 1,
				 SCMP_A0(SCMP_CMP_EQ, PR_SET_SECCOMP));
	}
	if (seccomp_load(ctx))
		die("seccomp_load");
	execvp(argv[2], argv + 2);
	die("exec");
#else
	(void)argv;
#endif
	return 77;
}

static int filtered(const char *mode, int n)
{
#if HAVE_SECCOMP
	uint32_t def = !strcmp(mode, "filter-trap") ? SCMP_ACT_TRAP :
		       !strcmp(mode, "filter-errno") ? SCMP_ACT_ERRNO(EPERM) : SCMP_ACT_KILL_PROCESS;
	int at_exit = !strcmp(mode, "filter-exit");
	struct vcpu *c = &vcpus[0];
	vcpu_open(c, 0);
	signal(SIGSYS, on_sigsys);
	scmp_filter_ctx ctx = seccomp_init(def);
	static const int allow[] = { SCMP_SYS(ioctl), SCMP_SYS(write), SCMP_SYS(exit_group), SCMP_SYS(exit),
				     SCMP_SYS(rt_sigreturn), SCMP_SYS(futex), SCMP_SYS(munmap), SCMP_SYS(close),
				     SCMP_SYS(newfstatat), SCMP_SYS(fstat), SCMP_SYS(brk), SCMP_SYS(mmap) };
	for (unsigned int i = 0; i < sizeof(allow) / sizeof(allow[0]); i++)
		seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allow[i], 0);
	if (at_exit)
		seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clock_gettime), 0);
	if (seccomp_load(ctx))
		die("seccomp_load");
	seccomp_release(ctx);
	if (at_exit) {
		for (int i = 0; i < n; i++)
			vcpu_run(c, 1);
		_exit(0);
	}
	vcpu_run(c, 1);
	vcpu_run(c, 1);
	long p = (long)syscall(SYS_getppid);
	printf("getppid r=%d errno=%d\n", p < 0 ? -1 : 0, p < 0 ? errno : 0);
	return 0;
#else
	(void)mode;
	(void)n;
	printf("skip: built without libseccomp\n");
	return 77;
#endif
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "plain";
	int n = argc > 2 ? atoi(argv[2]) : 4;
	struct vcpu *c = &vcpus[0];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strncmp(mode, "filter-", 7))
		return filtered(mode, n);
	if (!strncmp(mode, "deny-", 5) && argc > 2)
		return deny(argv);
	if (!strcmp(mode, "inherited") && argc > 2) {
		c->fd = atoi(argv[2]);
		if ((c->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
			die("open /dev/kvm");
		int sz = ioctl(c->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
		c->run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
		if (c->run == MAP_FAILED)
			die("mmap");
		vcpu_run(c, 1);
		vcpu_run(c, 1);
		return 0;
	}
	if (!strcmp(mode, "nodumpable") && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		die("PR_SET_DUMPABLE");
	if (!strcmp(mode, "threads")) {
		struct sigaction sa = { .sa_handler = on_kick };
		sigaction(SIGUSR1, &sa, NULL);
		if (n < 1 || n > 8)
			n = 2;
		for (int i = 0; i < n; i++)
			vcpu_open(&vcpus[i], i);
		for (int i = 0; i < n; i++)
			pthread_create(&vcpus[i].thr, NULL, thread_main, &vcpus[i]);
		for (int k = 0; k < 20; k++)
			for (int i = 0; i < n; i++)
				pthread_kill(vcpus[i].thr, SIGUSR1);
		for (int i = 0; i < n; i++) {
			pthread_join(vcpus[i].thr, NULL);
			/* kicks land at any time: counted, not printed (stdout is compared) */
			printf("thread vcpu=%d runs=%d stale=%d eintr>=5:%s\n", i, vcpus[i].runs, vcpus[i].stale,
			       vcpus[i].eintr >= 5 ? "yes" : "no");
			fprintf(stderr, "thread vcpu=%d kicks=%d eintr=%d\n", i, vcpus[i].kicks, vcpus[i].eintr);
		}
		return 0;
	}
	vcpu_open(c, 0);
	if (!strcmp(mode, "late") && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		die("PR_SET_DUMPABLE");
	if (!strcmp(mode, "killself") || !strcmp(mode, "pause")) {
		vcpu_run(c, 1);
		if (mode[0] == 'k')
			raise(SIGKILL);
		printf("paused\n");
		pause();
		return 0;
	}
	int ends = !strcmp(mode, "_exit") || !strcmp(mode, "_Exit") || !strcmp(mode, "exit_group");
	int runs = !strcmp(mode, "plain") || ends ? n : !strcmp(mode, "moved") ? 1 : 2;
	for (int i = 0; i < runs; i++)
		vcpu_run(c, 1);
	if (!strcmp(mode, "fork")) {
		pid_t p = fork();
		if (p == 0) {
			struct vcpu *d = &vcpus[1];
			vcpu_open(d, 1);
			vcpu_run(d, 1);
			vcpu_run(d, 1);
			/* the parent's vCPU from another mm: the kernel refuses it (EIO) */
			int r = ioctl(c->fd, KVM_RUN, 0);
			printf("child: parent's vCPU r=%d errno=%d\n", r, r ? errno : 0);
			_exit(0);
		}
		int st;
		waitpid(p, &st, 0);
		printf("child exit=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		vcpu_run(c, 1);
	} else if (!strcmp(mode, "exec")) {
		execl("/proc/self/exe", argv[0], "plain", "2", (char *)NULL);
		die("exec");
	} else if (ends) {
		if (mode[1] == 'e')
			_exit(0);
		if (mode[1] == 'E')
			_Exit(0);
		syscall(SYS_exit_group, 0);
	} else if (!strcmp(mode, "exec-inherit")) {
		char fdarg[16];
		snprintf(fdarg, sizeof(fdarg), "%d", c->fd);
		if (fcntl(c->fd, F_SETFD, 0) < 0)
			die("F_SETFD");
		execl("/proc/self/exe", argv[0], "inherited", fdarg, (char *)NULL);
		die("exec");
	} else if (!strcmp(mode, "moved")) {
		for (int k = 0; k < 4; k++) {
			int nfd = k == 0 ? fcntl(c->fd, F_DUPFD, 40) : k == 1 ? fcntl(c->fd, F_DUPFD_CLOEXEC, 50) :
				  k == 2 ? dup(c->fd) : dup3(c->fd, 70, O_CLOEXEC);
			if (nfd < 0)
				die("dup");
			close(c->fd);
			c->fd = nfd;
			vcpu_run(c, 1);
		}
	} else if (!strcmp(mode, "ptrace")) {
		long r = ptrace(PTRACE_TRACEME, 0, 0, 0);
		printf("ptrace r=%ld errno=%d\n", r, r ? errno : 0);
	}
	return 0;
}

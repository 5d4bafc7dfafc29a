/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-supervise.c - what supervisor mode costs per KVM_RUN, on real KVM,
 * one exit to user space per KVM_RUN: x86_64, a real-mode guest looping on
 * "out 0x10, al" (KVM_EXIT_IO); arm64, a guest looping on a store to an
 * address no memory slot covers (KVM_EXIT_MMIO).  For tools/bench.sh and
 * check-real (tests/realkvm/init.c, on real kernels).
 *
 *   bench-supervise kvm THREADS RUNS   THREADS vCPUs of one VM, each in its
 *                                      own thread, RUNS KVM_RUNs each;
 *                                      prints us_per_run= (wall time of a
 *                                      thread's loop / RUNS, the slowest)
 *   bench-supervise pipe RUNS          the machine's pipe round trip between
 *                                      two processes; prints us_per_rtt=
 * Exit 77 when /dev/kvm cannot be used (or neither x86_64 nor arm64).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/kvm.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#if defined(__x86_64__) || defined(__aarch64__)
static int vm, kvm, runs, mmap_sz;
static pthread_barrier_t start;

#if defined(__x86_64__)
#define EXIT_REASON KVM_EXIT_IO
#define GUEST_GPA 0x0UL
#define GUEST_SIZE 0x2000UL
#define CODE_OFF 0x1000
static const unsigned char code[] = { 0xe6, 0x10, 0xeb, 0xfc }; /* out 0x10, al; jmp .-2 */

/* real mode, cs base 0, ip at the code */
static int vcpu_setup(int fd)
{
	struct kvm_sregs s;
	struct kvm_regs r = { .rip = GUEST_GPA + CODE_OFF, .rflags = 2 };
	if (ioctl(fd, KVM_GET_SREGS, &s))
		return -1;
	s.cs.base = 0, s.cs.selector = 0;
	return ioctl(fd, KVM_SET_SREGS, &s) || ioctl(fd, KVM_SET_REGS, &r) ? -1 : 0;
}
#else
#define EXIT_REASON KVM_EXIT_MMIO
#define GUEST_GPA 0x40000000UL
#define GUEST_SIZE 0x10000UL /* one page of a 64K-page host too */
#define CODE_OFF 0
#define MMIO_GPA 0x10000000UL /* no memory slot: every store exits */
static const unsigned int code[] = { 0xb90000a1, 0x17ffffff }; /* str w1,[x5]; b .-4 */

static int set_reg(int fd, unsigned long long id, unsigned long long val)
{
	struct kvm_one_reg r = { .id = id, .addr = (unsigned long)&val };
	return ioctl(fd, KVM_SET_ONE_REG, &r);
}
#define CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(x))

/* as tests/realkvm/vmm.c arm_regs: the preferred target, EL1h, DAIF masked */
static int vcpu_setup(int fd)
{
	struct kvm_vcpu_init init;
	memset(&init, 0, sizeof init);
	if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) || ioctl(fd, KVM_ARM_VCPU_INIT, &init))
		return -1;
	return set_reg(fd, CORE_REG(regs.pc), GUEST_GPA + CODE_OFF) || set_reg(fd, CORE_REG(regs.regs[1]), 1) ||
			       set_reg(fd, CORE_REG(regs.regs[5]), MMIO_GPA) || set_reg(fd, CORE_REG(regs.pstate), 0x3c5)
		       ? -1
		       : 0;
}
#endif

struct vcpu {
	int fd;
	struct kvm_run *run;
	double secs;
	int bad;
};

static void *loop(void *arg)
{
	struct vcpu *c = arg;
	pthread_barrier_wait(&start);
	double t0 = now();
	for (int i = 0; i < runs; i++)
		if (ioctl(c->fd, KVM_RUN, 0) || c->run->exit_reason != EXIT_REASON)
			c->bad++;
	c->secs = now() - t0;
	return NULL;
}

static int bench_kvm(int threads)
{
	struct vcpu c[64];

	if ((kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0 || (vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0)
		return 77;
	mmap_sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	void *mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 77;
	memcpy((char *)mem + CODE_OFF, code, sizeof(code));
	struct kvm_userspace_memory_region reg = { .slot = 0, .guest_phys_addr = GUEST_GPA,
						   .memory_size = GUEST_SIZE,
						   .userspace_addr = (unsigned long)mem };
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &reg))
		return 77;
	for (int i = 0; i < threads; i++) {
		c[i] = (struct vcpu){ .fd = ioctl(vm, KVM_CREATE_VCPU, i) };
		if (c[i].fd < 0 || vcpu_setup(c[i].fd))
			return 77;
		c[i].run = mmap(NULL, (size_t)mmap_sz, PROT_READ | PROT_WRITE, MAP_SHARED, c[i].fd, 0);
		if (c[i].run == MAP_FAILED)
			return 77;
	}
	pthread_t t[64];
	pthread_barrier_init(&start, NULL, (unsigned)threads);
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, loop, &c[i]);
	double worst = 0;
	int bad = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		worst = c[i].secs > worst ? c[i].secs : worst;
		bad += c[i].bad;
	}
	if (bad) {
		printf("error: %d runs without the expected exit\n", bad);
		return 1;
	}
	printf("us_per_run=%.2f\n", worst * 1e6 / runs);
	return 0;
}
#else
static int runs;
static int bench_kvm(int threads)
{
	(void)threads;
	return 77;
}
#endif

static int bench_pipe(int n)
{
	int a[2], b[2];
	char x = 0;
	if (pipe(a) || pipe(b))
		return 1;
	pid_t p = fork();
	if (p == 0) {
		for (int i = 0; i < n; i++)
			if (read(a[0], &x, 1) != 1 || write(b[1], &x, 1) != 1)
				_exit(1);
		_exit(0);
	}
	double t0 = now();
	for (int i = 0; i < n; i++)
		if (write(a[1], &x, 1) != 1 || read(b[0], &x, 1) != 1)
			return 1;
	double t = now() - t0;
	waitpid(p, NULL, 0);
	printf("us_per_rtt=%.2f\n", t * 1e6 / n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "kvm")) {
		int threads = atoi(argv[2]);
		runs = atoi(argv[3]);
		if (threads < 1 || threads > 64 || runs < 1)
			return 2;
		return bench_kvm(threads);
	}
	if (argc == 3 && !strcmp(argv[1], "pipe"))
		return bench_pipe(atoi(argv[2]));
	fprintf(stderr, "usage: bench-supervise kvm THREADS RUNS | pipe RUNS\n");
	return 2;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * race-run-close.c - vCPU fds closed, replaced with dup2 and reopened while
 * other threads run KVM_RUN on them, many times over, with the straight
 * and kept-word paths taken (tests/fake-kvmrun.c answers every KVM_RUN
 * with an MMIO read or write exit, into the page of whichever vCPU the fd
 * named last).  The library must not crash, use a freed object, lose its
 * pool (more than 4096 vCPUs: a warning) or count more runs than calls.
 *
 * race-run-close ROUNDS RUNNERS: prints "calls N" for the stats check,
 * exit 2 when the set-up fails.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"

#define MAXR 8
#define MAXFD 4096

static int kvm;
static size_t run_size;
static uint8_t *pages[MAXFD]; /* the last page mapped for an fd number; never unmapped */
static int fds[MAXR];
static volatile int stop;
static unsigned long calls[MAXR];

/* One vCPU of a VM of its own (the VM fd closed: the vCPU holds it). */
static int new_vcpu(void)
{
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	int vcpu = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vm >= 0)
		close(vm);
	if (vcpu < 0 || vcpu >= MAXFD)
		return -1;
	void *p = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (p == MAP_FAILED)
		return -1;
	__atomic_store_n(&pages[vcpu], (uint8_t *)p, __ATOMIC_RELEASE);
	return vcpu;
}

static int kernel(int fd, void *arg)
{
	(void)arg;
	uint8_t *p = fd >= 0 && fd < MAXFD ? __atomic_load_n(&pages[fd], __ATOMIC_ACQUIRE) : NULL;
	if (fcntl(fd, F_GETFD) < 0 || !p) {
		errno = EBADF;
		return -1;
	}
	static __thread unsigned int n;
	uint32_t reason = KVM_EXIT_MMIO, len = 1u << (n % 4);
	n++;
	memcpy(p + 8, &reason, 4);
	memcpy(p + 48, &len, 4);
	p[52] = (uint8_t)(n % 3 == 0);
	return 0;
}

static void *runner(void *arg)
{
	long i = (long)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		int fd = __atomic_load_n(&fds[i], __ATOMIC_RELAXED);
		ioctl(fd, KVM_RUN, 0);
		calls[i]++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	long runners = argc > 2 ? strtol(argv[2], NULL, 0) : 2;
	int (**hook)(int, void *) = (int (**)(int, void *))dlsym(RTLD_DEFAULT, "fake_kvmrun_kernel");

	if (runners < 1 || runners > MAXR)
		runners = 2;
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	run_size = kvm < 0 ? 0 : (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kvm < 0 || !hook || (long)run_size <= 0) {
		fprintf(stderr, "race-run-close: set-up failed (fake-kvmrun preloaded?)\n");
		return 2;
	}
	*hook = kernel;
	for (long i = 0; i < runners; i++)
		if ((fds[i] = new_vcpu()) < 0)
			return 2;
	pthread_t t[MAXR];
	for (long i = 0; i < runners; i++)
		pthread_create(&t[i], NULL, runner, (void *)i);
	unsigned int seed = 1;
	for (unsigned long r = 0; r < rounds; r++) {
		long i = rand_r(&seed) % runners;
		int fd = fds[i], b = new_vcpu();
		if (b < 0) {
			fprintf(stderr, "race-run-close: round %lu: no new vCPU\n", r);
			return 2;
		}
		switch (rand_r(&seed) % 3) {
		case 0: /* replaced in place */
			dup2(b, fd);
			__atomic_store_n(&pages[fd], pages[b], __ATOMIC_RELEASE);
			close(b);
			break;
		case 1: /* closed, then its number taken again */
			close(fd);
			dup2(b, fd);
			__atomic_store_n(&pages[fd], pages[b], __ATOMIC_RELEASE);
			close(b);
			break;
		default: /* the runner moves to the new number */
			__atomic_store_n(&fds[i], b, __ATOMIC_RELAXED);
			close(fd);
			break;
		}
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	unsigned long total = 0;
	for (long i = 0; i < runners; i++) {
		pthread_join(t[i], NULL);
		total += calls[i];
	}
	printf("calls %lu\n", total);
	return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * soak.c - many vCPU threads on the emulator (arm64-5.10) under the shim,
 * while other threads churn fds and mappings and fork.  Every exit is
 * checked: after an MMIO read answered by the VMM, a BRK must show
 * hsr_high 0 (5.10 never writes it; the read's phys_addr left 0xab there)
 * and far 0 (the read's data sat there).  Run by make soak:
 *
 *   soak SECONDS VCPU_THREADS
 *
 * with LD_PRELOAD="$KVMRC_SHIM:$KVMRC_EMU", KVMEMU_PROFILE=arm64-5.10 and
 * KVMRUN_COMPAT_ARCH=arm64 (or, built with TSan and the shim's sources
 * linked in, LD_PRELOAD="$KVMRC_EMU").  Exit 0 when every exit was
 * sanitized and every completion arrived, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"

#define PAIRS 120            /* MMIO read + BRK pairs per vCPU life (the emulator takes 256 steps) */
#define LIVES_PER_THREAD 24  /* the emulator never frees its objects (4096 at most) */

static double deadline;
static uint64_t exits, bad, setup_failures;
static volatile int stop;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int one_life(int kvm)
{
	int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	int vcpu = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
	struct kvmrc_arm64_vcpu_init init = { 0 };
	if (vcpu < 0) {
		__atomic_add_fetch(&setup_failures, 1, __ATOMIC_RELAXED);
		goto out;
	}
	ioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init);
	ioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init);
	size_t size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		__atomic_add_fetch(&setup_failures, 1, __ATOMIC_RELAXED);
		goto out;
	}
	for (int i = 0; i < 2 * PAIRS && now() < deadline; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) != 0) {
			__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
			break;
		}
		__atomic_add_fetch(&exits, 1, __ATOMIC_RELAXED);
		if (run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write) {
			memset(run->mmio.data, 0x5a, sizeof(run->mmio.data)); /* the answer */
		} else if (run->exit_reason == KVM_EXIT_DEBUG) {
			const struct kvmrc_arm64_debug_exit_arch *d = (const void *)&run->debug.arch;
			if (d->hsr_high || d->far)
				__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
		} else {
			__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
		}
	}
	munmap(run, size);
out:
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	return 0;
}

static void *vcpu_thread(void *arg)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	(void)arg;
	for (int life = 0; life < LIVES_PER_THREAD && now() < deadline; life++)
		one_life(kvm);
	close(kvm);
	return NULL;
}

/* fds, mappings and processes come and go around the vCPUs */
static void *churn_thread(void *arg)
{
	long kind = (long)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		int d = dup(fd);
		void *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m != MAP_FAILED) {
			mprotect(m, 4096, PROT_READ);
			munmap(m, 3 * 4096);
		}
		if (kind == 0) {
			pid_t p = fork();
			if (p == 0)
				_exit(0);
			if (p > 0)
				waitpid(p, NULL, 0);
		}
		close(d);
		close(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 10;
	int n = argc > 2 ? atoi(argv[2]) : 64;
	char *sc = malloc(PAIRS * 64);
	pthread_t t[512], c[3];

	if (!sc || n < 1 || n > 512)
		return 2;
	sc[0] = 0;
	for (int i = 0; i < PAIRS; i++)
		strcat(sc, "mmio addr=0xabcdef0000 len=8 write=0; debug ec=brk; ");
	setenv("KVMEMU_SCENARIO", sc, 1);
	deadline = now() + seconds;
	for (long i = 0; i < 3; i++)
		pthread_create(&c[i], NULL, churn_thread, (void *)i);
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, vcpu_thread, NULL))
			return 2;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 3; i++)
		pthread_join(c[i], NULL);
	printf("soak: %d vCPU threads, %.0f s: %llu exits, %llu unsanitized or failed, %llu setup failures\n", n,
	       seconds, (unsigned long long)exits, (unsigned long long)bad, (unsigned long long)setup_failures);
	return bad || !exits ? 1 : 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-kvm-run - nanoseconds per ioctl, for `make bench`.
 *   bench-kvm-run kvm N        KVM_RUN N times on an (emulated) arm64 vCPU
 *   bench-kvm-run plain N      FIONREAD N times on a pipe (a non-KVM ioctl)
 *   bench-kvm-run threads T N  T threads, each with its own vCPU of one VM,
 *                              KVM_RUN N times each, started together
 * Prints "ns_per_call=<float>" (threads: wall time over all T*N calls, and
 * cpu_ns_per_call, the process's CPU time over them).
 * Run it with and without the shim preloaded.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- threads: one vCPU per thread, all released at once ---------------- */

/* CPU time of the whole process: unlike wall time, not inflated when other
 * processes share the CPUs, and raised by cache lines bouncing between them. */
static double cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct worker {
	pthread_t t;
	int fd;
	long n;
	int failed;
};
static pthread_barrier_t start;

static int new_vcpu(int kvm, int vm, unsigned long id)
{
	int fd = ioctl(vm, KVM_CREATE_VCPU, id);
	struct kvmrc_arm64_vcpu_init init = { 0 };

	if (fd < 0)
		return -1;
	ioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init);
	ioctl(fd, KVMRC_ARM_VCPU_INIT, &init);
	size_t size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED)
		return -1;
	return fd;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(&start);
	for (long i = 0; i < w->n; i++)
		w->failed |= ioctl(w->fd, KVM_RUN, 0) != 0;
	return NULL;
}

static int threads(int nthreads, long n)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	struct worker *w = calloc((size_t)nthreads, sizeof(*w));

	if (vm < 0 || !w || pthread_barrier_init(&start, NULL, (unsigned int)nthreads + 1)) {
		perror("bench-kvm-run: KVM setup");
		return 1;
	}
	for (int i = 0; i < nthreads; i++) {
		w[i].fd = new_vcpu(kvm, vm, (unsigned long)i);
		w[i].n = n;
		if (w[i].fd < 0 || pthread_create(&w[i].t, NULL, worker_run, &w[i])) {
			perror("bench-kvm-run: vCPU thread");
			return 1;
		}
	}
	double t0 = now_ns(), c0 = cpu_ns();
	pthread_barrier_wait(&start);
	int failed = 0;
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].t, NULL);
		failed |= w[i].failed;
	}
	double t1 = now_ns(), c1 = cpu_ns();
	if (failed) {
		fprintf(stderr, "bench-kvm-run: a KVM_RUN failed\n");
		return 1;
	}
	printf("ns_per_call=%.1f cpu_ns_per_call=%.1f\n", (t1 - t0) / ((double)n * nthreads),
	       (c1 - c0) / ((double)n * nthreads));
	return 0;
}

/* The VMM's own loop: make bench's callgrind rows collect inside it only
 * (--toggle-collect=bench_loop), so start-up and other threads (the
 * library's log thread wakes on a timer) do not move the counts. */
static __attribute__((noinline)) void bench_loop(int fd, unsigned long req, void *arg, long n)
{
	for (long i = 0; i < n; i++)
		ioctl(fd, req, arg);
	__asm__ volatile("" ::: "memory"); /* not a tail call */
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "threads"))
		return threads(atoi(argv[2]), strtol(argv[3], NULL, 0));
	if (argc != 3) {
		fprintf(stderr, "usage: bench-kvm-run kvm|plain ITERATIONS | threads THREADS ITERATIONS\n");
		return 2;
	}
	long n = strtol(argv[2], NULL, 0);
	int fd, pfd[2];
	unsigned long req;
	void *arg = NULL;
	int avail;

	if (!strcmp(argv[1], "kvm")) {
		int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
		fd = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
		if (fd < 0) {
			perror("bench-kvm-run: KVM setup");
			return 1;
		}
		struct kvmrc_arm64_vcpu_init init = { 0 };
		ioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init);
		ioctl(fd, KVMRC_ARM_VCPU_INIT, &init);
		size_t size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
		if (mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED) {
			perror("bench-kvm-run: mmap");
			return 1;
		}
		req = KVM_RUN;
	} else {
		if (pipe(pfd))
			return 1;
		fd = pfd[0];
		req = FIONREAD;
		arg = &avail;
	}
	/* a scenario the emulator refused fails every KVM_RUN: not a figure */
	if (ioctl(fd, req, arg) != 0) {
		perror("bench-kvm-run: first call");
		return 1;
	}
	bench_loop(fd, req, arg, n / 10); /* warm up */
	double t0 = now_ns();
	bench_loop(fd, req, arg, n);
	double t1 = now_ns();
	printf("ns_per_call=%.1f\n", (t1 - t0) / (double)n);
	return 0;
}

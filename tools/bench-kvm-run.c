/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-kvm-run - nanoseconds per ioctl, for `make bench`.
 *   bench-kvm-run kvm N     KVM_RUN N times on an (emulated) arm64 vCPU
 *   bench-kvm-run plain N   FIONREAD N times on a pipe (a non-KVM ioctl)
 * Prints "ns_per_call=<float>".  Run it with and without the shim preloaded.
 */
#include <fcntl.h>
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

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench-kvm-run kvm|plain ITERATIONS\n");
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
	for (long i = 0; i < n / 10; i++) /* warm up */
		ioctl(fd, req, arg);
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		ioctl(fd, req, arg);
	double t1 = now_ns();
	printf("ns_per_call=%.1f\n", (t1 - t0) / (double)n);
	return 0;
}

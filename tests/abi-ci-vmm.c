/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi-ci-vmm careless|careful - a VMM under test in a VMM's CI: runs one
 * vCPU of the emulator (or a kernel) until a SYSTEM_EVENT exit or 16 exits,
 * reading each exit as abi-ci-vmm.h says.  Prints one line per exit; exit
 * status 0, 101 (ABI_CI_PANIC: the careless read failed) or 2 (set-up).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "kvmrun-compat-uapi.h"
#include "abi-ci-vmm.h"

static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int r = ioctl(fd, req, arg);
	if (r < 0) {
		fprintf(stderr, "abi-ci-vmm: %s: %s\n", what, strerror(errno));
		exit(2);
	}
	return r;
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "careless") && strcmp(argv[1], "careful")))
		return fprintf(stderr, "usage: abi-ci-vmm careless|careful\n"), 2;
	int careful = !strcmp(argv[1], "careful");
	const char *arch = getenv("KVMRUN_COMPAT_ARCH");
#if defined(__aarch64__)
	int arm64 = !arch || !strcmp(arch, "arm64");
#else
	int arm64 = arch && !strcmp(arch, "arm64");
#endif
	setvbuf(stdout, NULL, _IOLBF, 0);
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fprintf(stderr, "abi-ci-vmm: /dev/kvm: %s\n", strerror(errno)), 2;
	int vm = xioctl(kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	long sed = ioctl(vm, KVM_CHECK_EXTENSION, 215 /* KVM_CAP_SYSTEM_EVENT_DATA */);
	int vcpu = xioctl(vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	if (arm64) {
		struct kvmrc_arm64_vcpu_init init;
		memset(&init, 0, sizeof(init));
		xioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init, "KVM_ARM_PREFERRED_TARGET");
		xioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init, "KVM_ARM_VCPU_INIT");
	}
	int size = xioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return perror("abi-ci-vmm: mmap"), 2;
	printf("%s VMM, KVM_CAP_SYSTEM_EVENT_DATA=%ld\n", argv[1], sed);
	for (int exits = 0; exits < 16; exits++) {
		char msg[160];
		xioctl(vcpu, KVM_RUN, 0, "KVM_RUN");
		int st = abi_ci_exit(careful, arm64, sed > 0, run, msg, sizeof(msg));
		if (st) {
			printf("panic: %s\n", msg);
			return st;
		}
		printf("%s\n", msg);
		if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
			return 0;
	}
	return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * demo-vmm - a deliberately careless arm64 VMM.  It reads
 * kvm_debug_exit_arch.hsr_high and .far after every debug exit without
 * asking whether the kernel wrote them, as a VMM built against new headers
 * does.  It also shows what a careful VMM (one that checks
 * KVM_DEBUG_ARCH_HSR_HIGH_VALID) would conclude.
 *
 * Usage: demo-vmm [--poison-flags] [--loop-on-error N]
 *   --poison-flags     write 0x1 into kvm_run->flags before the first KVM_RUN
 *                      (a value the VMM left there; old kernels never clear it)
 *   --loop-on-error N  retry a failing KVM_RUN up to N times, like a legacy VMM
 *                      that treats every error as transient
 *   --reinit           after a -1/EINVAL FAIL_ENTRY or ENOEXEC, issue
 *                      KVM_ARM_VCPU_INIT and go on (a VMM that knows how to
 *                      recover an arm64 vCPU)
 * Prints one line per exit, "key=value" separated, for scripts and tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"

static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int r = ioctl(fd, req, arg);
	if (r < 0) {
		fprintf(stderr, "demo-vmm: %s: %s\n", what, strerror(errno));
		exit(2);
	}
	return r;
}

int main(int argc, char **argv)
{
	int poison = 0, reinit = 0;
	long loop_on_error = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--poison-flags"))
			poison = 1;
		else if (!strcmp(argv[i], "--reinit"))
			reinit = 1;
		else if (!strcmp(argv[i], "--loop-on-error") && i + 1 < argc)
			loop_on_error = strtol(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: demo-vmm [--poison-flags] [--loop-on-error N] [--reinit]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "demo-vmm: /dev/kvm: %s\n", strerror(errno));
		return 2;
	}
	int vm = xioctl(kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	int vcpu = xioctl(vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	struct kvmrc_arm64_vcpu_init init;
	memset(&init, 0, sizeof(init));
	xioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init, "KVM_ARM_PREFERRED_TARGET");
	xioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init, "KVM_ARM_VCPU_INIT");
	int size = xioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		perror("demo-vmm: mmap");
		return 2;
	}
	if (poison)
		run->flags = 0x1;

	long errors = 0;
	for (int exits = 0; exits < 64;) {
		int r = ioctl(vcpu, KVM_RUN, 0);
		if (r < 0) {
			int e = errno;
			printf("exit=error errno=%s exit_reason=%u\n", e == ENOEXEC ? "ENOEXEC" :
			       e == EINVAL ? "EINVAL" : strerror(e), run->exit_reason);
			if (run->exit_reason == KVM_EXIT_FAIL_ENTRY && e == EINVAL)
				printf("exit=fail_entry ret=-1 reason=0x%llx cpu=%u\n",
				       (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
				       run->fail_entry.cpu);
			if (reinit && (e == ENOEXEC || (e == EINVAL && run->exit_reason == KVM_EXIT_FAIL_ENTRY))) {
				xioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init, "KVM_ARM_VCPU_INIT");
				printf("reinit\n");
				continue;
			}
			if (++errors <= loop_on_error)
				continue;
			return 1;
		}
		exits++;
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0x5a, sizeof(run->mmio.data));
			printf("exit=mmio addr=0x%llx len=%u write=%u\n",
			       (unsigned long long)run->mmio.phys_addr, run->mmio.len, run->mmio.is_write);
			break;
		case KVM_EXIT_DEBUG: {
			/* the careless read: bytes 36..47 taken at face value */
			const struct kvmrc_arm64_debug_exit_arch *d = (const void *)&run->debug.arch;
			int valid = run->flags & KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID;
			printf("exit=debug hsr=0x%08x hsr_high=0x%08x far=0x%016llx flags=0x%04x "
			       "careful_hsr_high=%s\n", d->hsr, d->hsr_high, (unsigned long long)d->far,
			       run->flags, valid ? "trusted" : "ignored");
			break;
		}
		case KVM_EXIT_FAIL_ENTRY:
			printf("exit=fail_entry ret=0 reason=0x%llx cpu=%u\n",
			       (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			       run->fail_entry.cpu);
			return 1;
		case KVM_EXIT_INTERNAL_ERROR:
			printf("exit=internal_error suberror=%u ndata=%u\n", run->internal.suberror,
			       run->internal.ndata);
			return 1;
		case KVM_EXIT_SYSTEM_EVENT:
			printf("exit=system_event type=%u ndata=%u data0=0x%llx\n", run->system_event.type,
			       run->system_event.ndata, (unsigned long long)run->system_event.data[0]);
			return 0;
		case KVM_EXIT_SHUTDOWN:
			printf("exit=shutdown\n");
			return 0;
		default:
			printf("exit=other reason=%u\n", run->exit_reason);
			break;
		}
	}
	printf("exit=limit\n");
	return 1;
}

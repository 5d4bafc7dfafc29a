/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * race-munmap.c - vCPU B's kvm_run is mapped at the address vCPU A's just
 * left, between the real munmap and anything above it (tests/fake-munmap.c
 * runs the mapping in that window).  B's exits must still be sanitized:
 * after an MMIO exit at 0xab_cdef_0000, a BRK on arm64-5.10 shows
 * hsr_high 0 with the shim (0xab without).  Exit 0 when sanitized.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"

static int vcpu_b;
static size_t size;
static void *mapped_b;

static void map_b_there(void *addr)
{
	mapped_b = mmap(addr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, vcpu_b, 0);
}

static int new_vcpu(int kvm, int id)
{
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, id);
	struct kvmrc_arm64_vcpu_init init = { 0 };
	ioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init);
	ioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init);
	return vcpu;
}

int main(void)
{
	setenv("KVMEMU_SCENARIO", "mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk", 1);
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	int a = new_vcpu(kvm, 0);
	vcpu_b = new_vcpu(kvm, 1);
	void *run_a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	void (**hook)(void *) = (void (**)(void *))dlsym(RTLD_DEFAULT, "fake_munmap_hook");
	if (kvm < 0 || a < 0 || vcpu_b < 0 || run_a == MAP_FAILED || !hook) {
		fprintf(stderr, "race-munmap: set-up failed (fake-munmap preloaded?)\n");
		return 2;
	}
	*hook = map_b_there;
	munmap(run_a, size);
	if (mapped_b != run_a) {
		fprintf(stderr, "race-munmap: B was not mapped at A's address\n");
		return 2;
	}
	struct kvm_run *run = mapped_b;
	if (ioctl(vcpu_b, KVM_RUN, 0) || ioctl(vcpu_b, KVM_RUN, 0) || run->exit_reason != KVM_EXIT_DEBUG)
		return 2;
	uint32_t hsr_high = ((struct kvmrc_arm64_debug_exit_arch *)&run->debug.arch)->hsr_high;
	printf("race-munmap: hsr_high 0x%08x\n", hsr_high);
	return hsr_high == 0 ? 0 : 1;
}

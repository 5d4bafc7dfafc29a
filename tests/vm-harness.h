/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vm-harness.h - one arm64-5.10 VM with one vCPU on the emulator, and the
 * scenario the fd-tracking tests run on it: an MMIO write at 0xab_cdef_0000
 * then a BRK, whose hsr_high shows whether the shim acted (0) or not (0xab).
 * For tests that include preload.h first.
 */
#ifndef KVMRC_TEST_VM_HARNESS_H
#define KVMRC_TEST_VM_HARNESS_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"

#define SCENARIO "mmio addr=0xabcdef0000 len=8 write=1 data=0x1122334455667788; debug ec=brk"

struct vm {
	int kvm, vm, vcpu;
	size_t size;
	struct kvm_run *run;
};

static inline void vm_start(struct vm *v, const char *scenario)
{
	setenv("KVMEMU_SCENARIO", scenario, 1);
	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	cr_assert_geq(v->kvm, 0, "open /dev/kvm: %s", strerror(errno));
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	cr_assert_geq(v->vm, 0);
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	cr_assert_geq(v->vcpu, 0);
	struct kvmrc_arm64_vcpu_init init = { 0 };
	cr_assert_eq(ioctl(v->vm, KVMRC_ARM_PREFERRED_TARGET, &init), 0);
	cr_assert_eq(ioctl(v->vcpu, KVMRC_ARM_VCPU_INIT, &init), 0);
	v->size = (size_t)ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->run = mmap(NULL, v->size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	cr_assert_neq(v->run, MAP_FAILED);
}

static inline uint32_t hsr_high(const struct kvm_run *run)
{
	return ((const struct kvmrc_arm64_debug_exit_arch *)&run->debug.arch)->hsr_high;
}

/* Runs the scenario's two exits on fd, reading kvm_run through run. */
static inline uint32_t run_to_debug(int fd, struct kvm_run *run)
{
	cr_assert_eq(ioctl(fd, KVM_RUN, 0), 0);
	cr_assert_eq(run->exit_reason, KVM_EXIT_MMIO);
	cr_assert_eq(ioctl(fd, KVM_RUN, 0), 0);
	cr_assert_eq(run->exit_reason, KVM_EXIT_DEBUG);
	return hsr_high(run);
}

#endif

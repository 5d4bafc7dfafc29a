/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-failentry-api.c - the preloaded shim's explanation of arm64
 * FAIL_ENTRY exits, read through kvmrun_compat_fail_entry_reason().
 * Emulated kernel: arm64-6.1.
 */
#define PRELOAD_PROFILE "arm64-6.1"
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include "kvmrun-compat.h"
#include "kvmrun-compat-uapi.h"
#include "preload.h"

static int vcpu;
static struct kvm_run *run;
static struct kvmrc_arm64_vcpu_init init;

static int reason(int fd)
{
	int (*f)(int) = (int (*)(int))dlsym(RTLD_DEFAULT, "kvmrun_compat_fail_entry_reason");
	cr_assert_not_null(f);
	return f(fd);
}

static void start(const char *scenario)
{
	setenv("KVMEMU_SCENARIO", scenario, 1);
	int kvm = open("/dev/kvm", O_RDWR);
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	cr_assert_geq(vcpu, 0);
	cr_assert_eq(ioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init), 0);
	cr_assert_eq(ioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init), 0);
	run = mmap(NULL, (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	cr_assert_neq(run, MAP_FAILED);
}

Test(fail_entry_api, aarch32_el0_is_explained_and_cleared_by_vcpu_init)
{
	start("mmio addr=0x4242000000000001 len=4 write=1 data=0x1; aarch32_el0; debug ec=brk");
	cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(reason(vcpu), KVMRUN_COMPAT_FAIL_ENTRY_NONE);
	errno = 0;
	cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), -1);
	cr_assert_eq(errno, EINVAL, "the kernel's errno is kept");
	cr_assert_eq(run->exit_reason, KVM_EXIT_FAIL_ENTRY);
	cr_assert_eq(run->fail_entry.hardware_entry_failure_reason, 0);
	cr_assert_eq(reason(vcpu), KVMRUN_COMPAT_FAIL_ENTRY_AARCH32_EL0);
	int d = dup(vcpu);
	cr_assert_eq(reason(d), KVMRUN_COMPAT_FAIL_ENTRY_AARCH32_EL0, "a dup tells the same");
	cr_assert_eq(ioctl(d, KVMRC_ARM_VCPU_INIT, &init), 0, "re-init through the dup");
	cr_assert_eq(reason(vcpu), KVMRUN_COMPAT_FAIL_ENTRY_NONE);
	cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(run->exit_reason, KVM_EXIT_DEBUG);
	cr_assert_not_null(strstr(kvmrun_compat_fail_entry_describe(KVMRUN_COMPAT_FAIL_ENTRY_AARCH32_EL0),
				  "KVM_ARM_VCPU_INIT"));
}

static void *run_elsewhere(void *arg)
{
	(void)arg;
	long r = ioctl(vcpu, KVM_RUN, 0);
	return (void *)(long)(r == -1 ? errno : 0);
}

Test(fail_entry_api, another_thread_gets_enoexec_and_it_is_passed_through)
{
	start("aarch32_el0");
	cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), -1);
	pthread_t t;
	void *err;
	pthread_create(&t, NULL, run_elsewhere, NULL);
	pthread_join(t, &err);
	cr_assert_eq((long)err, ENOEXEC);
}

Test(fail_entry_api, pmu_mismatch_and_hyp_gone)
{
	start("pmu_mismatch cpu=2; mmio addr=0xab00000003 len=4 write=1 data=0x5; hyp_gone");
	cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(reason(vcpu), KVMRUN_COMPAT_FAIL_ENTRY_CPU_UNSUPPORTED);
	cr_assert_eq(run->fail_entry.cpu, 2);
	cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(run->exit_reason, KVM_EXIT_FAIL_ENTRY);
	cr_assert_eq(run->fail_entry.hardware_entry_failure_reason, 0);
	cr_assert_eq(reason(vcpu), KVMRUN_COMPAT_FAIL_ENTRY_UNKNOWN);
}

Test(fail_entry_api, untracked_fd_is_ebadf)
{
	cr_assert_eq(reason(0), -EBADF);
	cr_assert_eq(reason(-1), -EBADF);
	cr_assert_eq(reason(1 << 30), -EBADF);
}

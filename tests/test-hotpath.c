/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-hotpath.c - KVM_RUN through the shim makes no system call of its own.
 *
 * A VMM such as Firecracker installs a seccomp filter in each vCPU thread
 * that allows little more than ioctl; a shim that logged, allocated (mmap)
 * or probed anything on KVM_RUN would get that thread killed.  Here a child
 * installs a filter allowing only ioctl, futex and exit, runs KVM_RUN
 * through the shim and the emulator many times, sanitizing on the way, and
 * exits.  Any other system call kills it with SIGSYS.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "preload.h"

/* Before preload.h re-executes the binary: lines from KVM_RUN at info level,
 * and the FAIL_ENTRY policy that rewrites the result, both under the filter. */
__attribute__((constructor(101))) static void hotpath_config(void)
{
	setenv("KVMRUN_COMPAT_LOG_LEVEL", "info", 0);
	setenv("KVMRUN_COMPAT_FAIL_ENTRY", "exit", 0);
}

/* One vCPU of the scenario in KVMEMU_SCENARIO, before any filter; exits 10
 * when that fails. */
static int start_vcpu(struct kvm_run **run)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	struct kvmrc_arm64_vcpu_init init = { 0 };
	ioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init);
	ioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init);
	size_t size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *r = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (kvm < 0 || vm < 0 || vcpu < 0 || r == MAP_FAILED)
		_exit(10);
	*run = r;
	return vcpu;
}

static void vcpu_thread_body(void)
{
	setenv("KVMEMU_SCENARIO", "mmio addr=0xabcdef0000 len=4 write=0; debug ec=brk; "
				  "mmio addr=0x12340000 len=8 write=1 data=0x55; debug ec=softstep; "
				  "internal_error; debug ec=watchpt far=0x1000", 1);
	struct kvm_run *run;
	int vcpu = start_vcpu(&run);
	/* warm up: the first KVM_RUN of a process may do one-time work */
	ioctl(vcpu, KVM_RUN, 0);
	/* more runs, so that a recording's drain thread writes while they go on (test-trace.sh) */
	const char *more = getenv("KVMRC_HOTPATH_RUNS");
	int runs = more ? atoi(more) : 2000;

	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 0);
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(futex), 0);
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0);
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit), 0);
	if (seccomp_load(ctx) != 0)
		_exit(11);
	unsigned int debug_exits = 0;
	for (int i = 0; i < runs; i++) {
		int r = ioctl(vcpu, KVM_RUN, 0);
		if (r == 0 && run->exit_reason == KVM_EXIT_DEBUG) {
			debug_exits++;
			if (((struct kvmrc_arm64_debug_exit_arch *)&run->debug.arch)->hsr_high != 0)
				syscall(SYS_exit_group, 12);
		}
		if (r == 0 && run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write)
			memset(run->mmio.data, 0x5a, 8);
	}
	syscall(SYS_exit_group, debug_exits ? 0 : 13);
}

Test(hotpath, kvm_run_makes_no_system_call_of_its_own)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		vcpu_thread_body();
	int status = 0;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(!WIFSIGNALED(status), "vCPU thread killed by signal %d (%s): a system call on the hot path",
		  WTERMSIG(status), strsignal(WTERMSIG(status)));
	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), 0, "vCPU thread exit status %d", WEXITSTATUS(status));
}

/* An AArch32-EL0 FAIL_ENTRY, then the unrunnable vCPU, with info logging and
 * the "exit" policy, inside a thread whose filter allows ioctl only (as
 * Firecracker's and crosvm's vCPU threads): nothing dies, the policy acts. */
static void failentry_body(void)
{
	setenv("KVMEMU_SCENARIO", "aarch32_el0", 1);
	struct kvm_run *run;
	int vcpu = start_vcpu(&run);
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 0);
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0);
	if (seccomp_load(ctx) != 0)
		_exit(11);
	int first = ioctl(vcpu, KVM_RUN, 0);
	if (first != -1 || run->exit_reason != KVM_EXIT_FAIL_ENTRY)
		syscall(SYS_exit_group, 12); /* the kernel's own report goes through */
	for (int i = 0; i < 100; i++)
		if (ioctl(vcpu, KVM_RUN, 0) != 0 || run->exit_reason != KVM_EXIT_FAIL_ENTRY)
			syscall(SYS_exit_group, 13); /* fail_entry=exit reports FAIL_ENTRY */
	syscall(SYS_exit_group, 0);
}

Test(hotpath, fail_entry_policies_and_logging_make_no_system_call)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		failentry_body();
	int status = 0;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(!WIFSIGNALED(status), "vCPU thread killed by signal %d (%s): a system call on the hot path",
		  WTERMSIG(status), strsignal(WTERMSIG(status)));
	cr_assert_eq(WEXITSTATUS(status), 0, "vCPU thread exit status %d", WEXITSTATUS(status));
}

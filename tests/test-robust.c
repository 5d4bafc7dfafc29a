/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-robust.c - the shim never harms the VMM, whatever the VMM does with
 * its fds and mappings: one fact per way an earlier design crashed, wrote
 * into unrelated memory or lost track (shim and emulator preloaded,
 * arm64-5.10; see vm-harness.h for the scenario).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "preload.h"
#include "vm-harness.h"
#include "kvmrun-compat.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

static int all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

/* Another thread (here: a raw munmap the shim never sees) unmaps kvm_run
 * and new memory lands at its address: the shim writes only its own
 * mapping, never that memory. */
Test(robust, memory_mapped_where_kvm_run_was_is_never_written)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	void *at = v.run;
	cr_assert_eq(syscall(SYS_munmap, at, v.size), 0);
	uint8_t *other = mmap(at, v.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	cr_assert_eq((void *)other, at);
	memset(other, 0x77, v.size);
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), 0);
	cr_assert(all_bytes(other, v.size, 0x77), "unrelated memory at the old kvm_run address changed");
	struct kvm_run *again = mmap(NULL, v.size, PROT_READ, MAP_SHARED, v.vcpu, 0);
	cr_assert_neq(again, MAP_FAILED);
	cr_assert_eq(again->exit_reason, KVM_EXIT_DEBUG);
	cr_assert_eq(hsr_high(again), 0, "the exit was still sanitized");
}

/* A VMM that maps kvm_run read-only (or mprotects it) is not made to fault. */
Test(robust, a_read_only_kvm_run_is_sanitized_without_a_fault)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	cr_assert_eq(munmap(v.run, v.size), 0);
	struct kvm_run *ro = mmap(NULL, v.size, PROT_READ, MAP_SHARED, v.vcpu, 0);
	cr_assert_neq(ro, MAP_FAILED);
	cr_assert_eq(run_to_debug(v.vcpu, ro), 0);
	cr_assert_eq(mprotect(ro, v.size, PROT_NONE), 0);
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), 0, "a PROT_NONE mapping does not matter either");
}

/* A vfork()ed child shares our memory but has its own fd table: its close
 * of the vCPU fd must not untrack the parent's vCPU. */
Test(robust, a_close_in_a_vfork_child_leaves_the_parents_vcpu_tracked)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	pid_t pid = vfork();
	if (pid == 0) {
		close(v.vcpu);
		dup2(0, v.vcpu);
		_exit(0);
	}
	cr_assert_gt(pid, 0);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert_eq(shim_vcpu_state(v.vcpu), 0, "still tracked");
	cr_assert_eq(run_to_debug(v.vcpu, v.run), 0);
}

struct unshare_arg {
	int (*close_range)(unsigned int, unsigned int, int);
	int fd;
	int ret;
};

static void *thread_close_range(void *p)
{
	struct unshare_arg *a = p;
	a->ret = a->close_range((unsigned int)a->fd, (unsigned int)a->fd, CLOSE_RANGE_UNSHARE);
	return NULL;
}

Test(robust, close_range_unshare_keeps_the_process_vcpu)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	struct unshare_arg a = {
		.close_range = (int (*)(unsigned int, unsigned int, int))dlsym(RTLD_DEFAULT, "close_range"),
		.fd = v.vcpu,
	};
	cr_assert_not_null(a.close_range);
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, thread_close_range, &a), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(a.ret, 0);
	cr_assert_eq(shim_vcpu_state(v.vcpu), 0, "still tracked in the process's own table");
	cr_assert_eq(run_to_debug(v.vcpu, v.run), 0);
}

/* fork(): the child shares the kvm_run page with the parent; its KVM_RUN on
 * the parent's vCPU (which the kernel refuses) must not touch that page. */
Test(robust, a_forked_childs_kvm_run_leaves_the_shared_page_alone)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), 0);
	v.run->flags = 0xa5a5;
	uint8_t before[2352];
	memcpy(before, v.run, sizeof(before));
	pid_t pid = fork();
	if (pid == 0) {
		int r = ioctl(v.vcpu, KVM_RUN, 0);
		_exit(r == -1 && errno == EIO ? 0 : 1);
	}
	cr_assert_gt(pid, 0);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's KVM_RUN fails with EIO");
	cr_assert_eq(memcmp(before, v.run, sizeof(before)), 0, "the child wrote into the parent's kvm_run");
}

/* A vCPU fd closed behind the shim's back, its number reused by a memfd
 * that the VMM maps as guest RAM: KVM_RUN on it must not touch guest RAM. */
Test(robust, guest_ram_on_a_reused_fd_number_is_never_written)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	int n = v.vcpu;
	cr_assert_eq(munmap(v.run, v.size), 0);
	cr_assert_eq(syscall(SYS_close, n), 0);
	int ram = (int)syscall(SYS_memfd_create, "guest-ram", 0);
	cr_assert_eq(ram, n, "the number is reused");
	cr_assert_eq(ftruncate(ram, 65536), 0);
	uint8_t *g = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, ram, 0);
	cr_assert_neq(g, MAP_FAILED);
	memset(g, 0x33, 65536);
	ioctl(ram, KVM_RUN, 0);
	ioctl(ram, KVM_RUN, 0);
	cr_assert(all_bytes(g, 65536, 0x33), "guest RAM changed");
}

/* More kvm_run mappings than any fixed number of slots: still sanitized. */
Test(robust, many_mappings_of_one_kvm_run_do_not_matter)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	struct kvm_run *m[8];
	for (int i = 0; i < 8; i++) {
		m[i] = mmap(NULL, v.size, PROT_READ | PROT_WRITE, MAP_SHARED, v.vcpu, 0);
		cr_assert_neq(m[i], MAP_FAILED);
	}
	cr_assert_eq(munmap(v.run, v.size), 0);
	for (int i = 0; i < 7; i++)
		cr_assert_eq(munmap(m[i], v.size), 0);
	cr_assert_eq(run_to_debug(v.vcpu, m[7]), 0);
}

/* Adopted vCPUs (exec, SCM_RIGHTS) share one VM object: hundreds of them do
 * not exhaust the pool, and a VM created afterwards is still tracked. */
Test(robust, hundreds_of_adopted_vcpus_leave_room_for_new_vms)
{
	void *emu = dlopen(getenv("KVMRC_EMU"), RTLD_NOW | RTLD_NOLOAD);
	cr_assert_not_null(emu);
	int (*emu_ioctl)(int, unsigned long, ...) = (int (*)(int, unsigned long, ...))dlsym(emu, "ioctl");
	setenv("KVMEMU_SCENARIO", SCENARIO, 1);
	int kvm = open("/dev/kvm", O_RDWR);
	size_t size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (int i = 0; i < 300; i++) {
		int vm = emu_ioctl(kvm, KVM_CREATE_VM, 0);
		cr_assert_geq(vm, 0);
		int vcpu = emu_ioctl(vm, KVM_CREATE_VCPU, 0);
		cr_assert_geq(vcpu, 0);
		void *r = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
		cr_assert_neq(r, MAP_FAILED);
		cr_assert_eq(shim_vcpu_state(vcpu), 0, "vCPU %d adopted", i);
	}
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	cr_assert_geq(vm, 0);
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	cr_assert_geq(vcpu, 0);
	cr_assert_eq(shim_vcpu_state(vcpu), 0, "a VM created after 300 adopted vCPUs is tracked from its creation");
}

/* KVM_RUN with an argument fails before entry (kvm_vcpu_ioctl: -EINVAL):
 * nothing of kvm_run may change, a PMU-mismatch FAIL_ENTRY's genuine reason
 * and cpu included, and no "KVM bug" is diagnosed. */
Test(robust, a_kvm_run_that_never_entered_changes_nothing)
{
	struct vm v;
	setenv("KVMEMU_PROFILE", "arm64-6.1", 1);
	vm_start(&v, "pmu_mismatch cpu=3; debug ec=brk");
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(v.run->exit_reason, KVM_EXIT_FAIL_ENTRY);
	uint64_t reason = v.run->fail_entry.hardware_entry_failure_reason;
	uint32_t cpu = v.run->fail_entry.cpu;
	cr_assert_eq(cpu, 3);
	v.run->flags = 0xa5a5;
	uint8_t before[2352];
	memcpy(before, v.run, sizeof(before));
	errno = 0;
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 1), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(memcmp(before, v.run, sizeof(before)), 0, "KVM_RUN with an argument changed kvm_run");
	cr_assert_eq(v.run->fail_entry.hardware_entry_failure_reason, reason);
	cr_assert_eq(shim_vcpu_state(v.vcpu), KVMRUN_COMPAT_FAIL_ENTRY_CPU_UNSUPPORTED,
		     "the PMU mismatch stays the diagnosis");
}

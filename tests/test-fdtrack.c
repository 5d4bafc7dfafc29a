/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-fdtrack.c - the shim follows KVM fds and kvm_run mappings, seen from
 * a VMM's side: the shim and the emulator (arm64-5.10) are preloaded, and a
 * debug exit after an MMIO exit at 0xab_cdef_0000 shows whether the shim
 * acted (hsr_high 0) or not (0xab).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "preload.h"

#include "vm-harness.h"

Test(fdtrack, a_new_vcpu_is_tracked_and_its_exits_sanitized)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	cr_assert_eq(shim_vcpu_state(v.vcpu), 0);
	cr_assert_eq(shim_vcpu_state(v.vm), -EBADF, "a VM fd is not a vCPU");
	cr_assert_eq(shim_vcpu_state(v.kvm), -EBADF);
	cr_assert_eq(run_to_debug(v.vcpu, v.run), 0);
	cr_assert_eq(((const struct kvmrc_arm64_debug_exit_arch *)&v.run->debug.arch)->hsr >> 26,
		     KVMRC_ESR_EC_BRK64, "hsr untouched");
}

Test(fdtrack, dups_inherit_the_vcpu_role)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	int d1 = dup(v.vcpu);
	int d2 = dup2(d1, 100);
	int d3 = dup3(d2, 101, O_CLOEXEC);
	int d4 = fcntl(d3, F_DUPFD_CLOEXEC, 200);
	int d5 = fcntl(d4, F_DUPFD, 300);
	int fds[] = { d1, d2, d3, d4, d5 };
	for (unsigned int i = 0; i < 5; i++) {
		cr_assert_geq(fds[i], 0);
		cr_assert_eq(shim_vcpu_state(fds[i]), 0, "dup %u (fd %d) not tracked", i, fds[i]);
	}
	close(v.vcpu);
	cr_assert_eq(shim_vcpu_state(v.vcpu), -EBADF);
	cr_assert_eq(run_to_debug(d5, v.run), 0, "the last dup still gets sanitized exits");
}

Test(fdtrack, close_and_number_reuse_drop_the_role)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	int n = v.vcpu;
	cr_assert_eq(close(n), 0);
	int other = open("/dev/null", O_RDONLY);
	cr_assert_eq(other, n, "the number is reused");
	cr_assert_eq(shim_vcpu_state(other), -EBADF, "an unrelated file is not a vCPU");
	cr_assert_eq(dup2(v.vm, 150), 150);
	cr_assert_eq(shim_vcpu_state(150), -EBADF);
}

Test(fdtrack, dup2_over_a_vcpu_fd_drops_it)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	int devnull = open("/dev/null", O_RDONLY);
	cr_assert_eq(dup2(devnull, v.vcpu), v.vcpu);
	cr_assert_eq(shim_vcpu_state(v.vcpu), -EBADF);
}

Test(fdtrack, a_remapped_kvm_run_is_followed)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	void *dest = mmap(NULL, v.size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_run *moved = mremap(v.run, v.size, v.size, MREMAP_MAYMOVE | MREMAP_FIXED, dest);
	cr_assert_eq((void *)moved, dest);
	cr_assert_eq(run_to_debug(v.vcpu, moved), 0);
}

Test(fdtrack, two_mappings_of_one_vcpu_both_work)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	struct kvm_run *second = mmap(NULL, v.size, PROT_READ | PROT_WRITE, MAP_SHARED, v.vcpu, 0);
	cr_assert_neq(second, MAP_FAILED);
	cr_assert_eq(munmap(v.run, v.size), 0);
	cr_assert_eq(run_to_debug(v.vcpu, second), 0, "sanitized through the remaining mapping");
}

Test(fdtrack, without_any_mapping_run_passes_through)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	cr_assert_eq(munmap(v.run, v.size), 0);
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), 0);
}

Test(fdtrack, private_mapping_is_not_kvm_run)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	cr_assert_eq(munmap(v.run, v.size), 0);
	/* the shim must not adopt a MAP_PRIVATE copy as kvm_run */
	struct kvm_run *priv = mmap(NULL, v.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, v.vcpu, 0);
	if (priv == MAP_FAILED)
		return; /* the emulator may refuse private maps, as KVM does not */
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), 0);
}

Test(fdtrack, junk_in_flags_cannot_vouch_for_hsr_high)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	v.run->flags = KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID; /* the VMM's own junk */
	cr_assert_eq(run_to_debug(v.vcpu, v.run), 0);
	cr_assert_eq(v.run->flags, 0, "5.10 never writes flags; the shim cleared the junk");
}

Test(fdtrack, errno_of_kvm_run_is_preserved)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	v.run->immediate_exit = 1;
	errno = 0;
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), -1);
	cr_assert_eq(errno, EINTR);
	v.run->immediate_exit = 0;
	errno = 0;
	cr_assert_eq(ioctl(12345, KVM_RUN, 0), -1);
	cr_assert_eq(errno, EBADF);
}

Test(fdtrack, plain_ioctls_pass_through)
{
	int fd = open("/dev/null", O_RDONLY);
	int n = 0;
	errno = 0;
	cr_assert_eq(ioctl(fd, FIONREAD, &n), -1);
	cr_assert_eq(errno, ENOTTY);
}

Test(fdtrack, many_vms_and_vcpus_recycle_their_slots)
{
	/* more VMs and vCPUs over time than the pools hold at once */
	for (int i = 0; i < 600; i++) {
		struct vm v;
		vm_start(&v, SCENARIO);
		cr_assert_eq(shim_vcpu_state(v.vcpu), 0, "round %d", i);
		munmap(v.run, v.size);
		close(v.vcpu);
		close(v.vm);
		close(v.kvm);
	}
}

struct worker {
	int vcpu;
	struct kvm_run *run;
	int sanitized;
};

static void *vcpu_thread(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 200; i++) {
		if (ioctl(w->vcpu, KVM_RUN, 0) != 0)
			return NULL;
		if (w->run->exit_reason == KVM_EXIT_DEBUG && hsr_high(w->run) == 0)
			w->sanitized++;
	}
	return NULL;
}

Test(fdtrack, vcpus_in_parallel_threads_are_sanitized_independently)
{
	setenv("KVMEMU_SCENARIO", SCENARIO "; " SCENARIO "; " SCENARIO, 1);
	int kvm = open("/dev/kvm", O_RDWR);
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	struct kvmrc_arm64_vcpu_init init = { 0 };
	ioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init);
	size_t size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct worker w[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		w[i].vcpu = ioctl(vm, KVM_CREATE_VCPU, i);
		cr_assert_geq(w[i].vcpu, 0);
		cr_assert_eq(ioctl(w[i].vcpu, KVMRC_ARM_VCPU_INIT, &init), 0);
		w[i].run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, w[i].vcpu, 0);
		w[i].sanitized = 0;
	}
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, vcpu_thread, &w[i]);
	/* meanwhile this thread churns the fd table */
	for (int i = 0; i < 2000; i++) {
		int fd = open("/dev/null", O_RDONLY);
		int d = dup(fd);
		close(fd);
		close(d);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(w[i].sanitized, 3, "vCPU %d: %d of 3 debug exits sanitized", i, w[i].sanitized);
	}
}

Test(fdtrack, a_forked_child_can_use_files_and_exit)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	pid_t pid = fork();
	if (pid == 0) {
		/* the child closes inherited KVM fds and reuses their numbers */
		close(v.vcpu);
		int fd = open("/dev/null", O_RDONLY);
		_exit(fd == v.vcpu && shim_vcpu_state(fd) == -EBADF ? 0 : 1);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_eq(shim_vcpu_state(v.vcpu), 0, "the parent's vCPU is still tracked");
	cr_assert_eq(run_to_debug(v.vcpu, v.run), 0);
}

Test(fdtrack, a_vcpu_fd_created_behind_the_shims_back_is_adopted_at_mmap)
{
	/* Create the VM and vCPU through the emulator's own ioctl, as if the
	 * fds had come through exec or SCM_RIGHTS: the shim never sees them. */
	void *emu = dlopen(getenv("KVMRC_EMU"), RTLD_NOW | RTLD_NOLOAD);
	cr_assert_not_null(emu);
	int (*emu_ioctl)(int, unsigned long, ...) = (int (*)(int, unsigned long, ...))dlsym(emu, "ioctl");
	cr_assert_not_null(emu_ioctl);
	setenv("KVMEMU_SCENARIO", SCENARIO, 1);
	int kvm = open("/dev/kvm", O_RDWR);
	int vm = emu_ioctl(kvm, KVM_CREATE_VM, 0);
	int vcpu = emu_ioctl(vm, KVM_CREATE_VCPU, 7);
	cr_assert_geq(vcpu, 0);
	struct kvmrc_arm64_vcpu_init init = { 0 };
	emu_ioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init);
	cr_assert_eq(emu_ioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init), 0);
	cr_assert_eq(shim_vcpu_state(vcpu), -EBADF, "not known before its mapping");
	size_t size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	cr_assert_neq(run, MAP_FAILED);
	cr_assert_eq(shim_vcpu_state(vcpu), 0, "adopted when kvm_run was mapped");
	cr_assert_eq(run_to_debug(vcpu, run), 0);
	/* an ordinary shared file mapping is not adopted */
	int fd = open("/dev/zero", O_RDWR);
	void *z = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	cr_assert_neq(z, MAP_FAILED);
	cr_assert_eq(shim_vcpu_state(fd), -EBADF);
}

static void eintr_at_immediate_exit(const char *scenario)
{
	struct vm v;
	vm_start(&v, scenario);
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), 0); /* the MMIO exit */
	cr_assert_eq(v.run->exit_reason, KVM_EXIT_MMIO);
	int is_read = !v.run->mmio.is_write;
	unsigned int len = v.run->mmio.len;
	if (is_read)
		memcpy(v.run->mmio.data, "\x11\x22\x33\x44\x55\x66\x77\x88", 8); /* the completion */
	v.run->flags = 0x1;                          /* junk of the VMM's */
	v.run->immediate_exit = 1;
	uint8_t before[2352];
	memcpy(before, v.run, sizeof(before));
	errno = 0;
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), -1);
	cr_assert_eq(errno, EINTR);
	const uint8_t *after = (const uint8_t *)v.run;
	for (unsigned int b = 0; b < sizeof(before); b++) {
		/* what the MMIO exit wrote: phys_addr, len, is_write, a write's data */
		int exit_byte = (b >= 32 && b < 40) || (b >= 48 && b < 53) || (!is_read && b >= 40 && b < 40 + len);
		if (b == 14 || b == 15)
			cr_assert_eq(after[b], 0, "flags is output-only on arm64: cleared before every KVM_RUN");
		else if (b >= 32 && b < 288 && !exit_byte && !(is_read && b >= 40 && b < 40 + len))
			cr_assert_eq(after[b], 0, "byte %u: neither the exit's nor an input", b);
		else
			cr_assert_eq(after[b], before[b], "byte %u: header, the exit, inputs and sync regs as they were", b);
	}
	v.run->immediate_exit = 0;
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(v.run->exit_reason, KVM_EXIT_DEBUG);
	cr_assert_eq(hsr_high(v.run), 0, "the junk still cannot vouch for hsr_high");
	cr_assert_eq(v.run->flags, 0);
}

Test(fdtrack, eintr_at_immediate_exit_keeps_the_pending_completion)
{
	eintr_at_immediate_exit(SCENARIO);
}

/* A read's completion takes the kept-word path, not the straight one. */
Test(fdtrack, eintr_at_immediate_exit_keeps_a_pending_read)
{
	eintr_at_immediate_exit("mmio addr=0xabcdef0000 len=4 write=0; debug ec=brk");
}

/*
 * The kernel's KVM selftests (6.1: _vcpu_run -> assert_on_unhandled_exception
 * -> get_ucall, then the test's own get_ucall) read an exit, complete it with
 * a KVM_RUN under immediate_exit (vcpu_run_complete_io: -1/EINTR, nothing
 * entered), and read the same exit again.  Without the library the kernel's
 * bytes are still there; the library must not have erased them (it did
 * before: mmio.phys_addr read 0, and every ucall of the selftests was lost).
 */
Test(fdtrack, an_exit_reads_the_same_after_an_immediate_exit)
{
	struct vm v;
	vm_start(&v, SCENARIO);
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(v.run->exit_reason, KVM_EXIT_MMIO);
	uint8_t first[288];
	memcpy(first, v.run, sizeof(first));
	cr_assert_neq(v.run->mmio.phys_addr, 0, "the scenario's MMIO address");
	for (int i = 0; i < 2; i++) {
		v.run->immediate_exit = 1;
		cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), -1);
		cr_assert_eq(errno, EINTR);
		v.run->immediate_exit = 0;
		cr_assert_eq(v.run->exit_reason, KVM_EXIT_MMIO);
		cr_assert_eq(v.run->mmio.phys_addr, ((const struct kvm_run *)first)->mmio.phys_addr,
			     "try %d: phys_addr as the kernel wrote it", i);
		cr_assert_eq(v.run->mmio.len, ((const struct kvm_run *)first)->mmio.len);
		cr_assert_eq(v.run->mmio.is_write, ((const struct kvm_run *)first)->mmio.is_write);
		if (v.run->mmio.is_write)
			cr_assert_eq(memcmp(v.run->mmio.data, first + 40, v.run->mmio.len), 0,
				     "try %d: the write's data as the kernel wrote it", i);
	}
}

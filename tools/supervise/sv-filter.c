/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sv-filter.c - the seccomp filter of supervisor mode, built with libseccomp
 * and loaded by the wrapper into itself right before it exec()s the VMM
 * (the filter survives exec and is inherited by every thread and child).
 * Everything not listed is allowed without a stop; each listed call stops
 * the thread for the supervisor (SECCOMP_RET_TRACE) with an sv_event:
 *
 *   ioctl(fd, KVM_RUN)             the work itself (two stops per call)
 *   ioctl(fd, KVM_CREATE_VM)       a VM: its capabilities are asked once
 *   ioctl(fd, KVM_CREATE_VCPU)     a vCPU: the supervisor takes its copy of
 *                                  the fd and maps kvm_run here, before the
 *                                  VMM can drop privileges or dumpability
 *   ioctl(fd, KVM_ARM_VCPU_INIT)   the FAIL_ENTRY state is reset (arm64)
 *   close, close_range, dup2, dup3 a tracked fd number goes away: the copy is
 *                                  closed so that a closed vCPU dies; dup2
 *                                  and dup3 of a tracked fd are followed
 *   dup, fcntl(F_DUPFD),           a tracked fd gets another number: followed
 *   fcntl(F_DUPFD_CLOEXEC)         (the syscall exit only for a tracked fd;
 *                                  fcntl stops for these two commands only)
 *   mmap(MAP_SHARED, fd != -1)     where the VMM maps a vCPU's kvm_run, for
 *                                  the process_vm path (sv-remote.c); one stop,
 *                                  and the syscall exit only for a vCPU fd on
 *                                  that path (anonymous and private maps do
 *                                  not stop)
 *   ptrace                         refused: the VMM's tracees would run
 *                                  outside the supervisor
 *   ioctl(fd, KVM_CHECK_EXTENSION) with --abi only: capabilities VERSION
 *   ioctl(fd, KVM_ENABLE_CAP)      lacked read 0 and cannot be enabled
 *                                  (sv-abi.c)
 *
 * The ioctl request is compared on its low 32 bits, as the kernel reads it.
 * A VMM's own filters stack on top of this one: the kernel applies the
 * strictest action, so a KVM_RUN their filter allows still stops here, and a
 * call their filter kills, traps or fails never reaches the supervisor.
 * exec, fork and clone are seen through ptrace options, not the filter.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "sv.h"

static int add_ioctl(scmp_filter_ctx ctx, unsigned int ev, unsigned long req)
{
	return seccomp_rule_add(ctx, SCMP_ACT_TRACE(ev), SCMP_SYS(ioctl), 1,
				SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)req));
}

int sv_filter_install(int test, int abi, const char **why)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	*why = "seccomp_init failed";
	if (!ctx)
		return -ENOMEM;
	/* a compat-ABI call (int 0x80 on x86_64) is not matched: allowed, unseen */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	*why = "cannot build the filter";
	if (!r)
		r = add_ioctl(ctx, SV_EV_RUN, KVM_RUN);
	if (!r)
		r = add_ioctl(ctx, SV_EV_CREATE, KVM_CREATE_VM);
	if (!r)
		r = add_ioctl(ctx, SV_EV_CREATE, KVM_CREATE_VCPU);
	if (!r)
		r = add_ioctl(ctx, SV_EV_CREATE, KVMRC_ARM_VCPU_INIT);
	if (!r && test)
		r = add_ioctl(ctx, SV_EV_TEST_RESULT, SV_TEST_RESULT);
	if (!r && abi)
		r = add_ioctl(ctx, SV_EV_CAPS, KVM_CHECK_EXTENSION);
	if (!r && abi)
		r = add_ioctl(ctx, SV_EV_ENABLE_CAP, KVM_ENABLE_CAP);
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(SV_EV_CLOSE), SCMP_SYS(close), 0);
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(SV_EV_CLOSE_RANGE), SCMP_SYS(close_range), 0);
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(SV_EV_MMAP), SCMP_SYS(mmap), 2,
				     SCMP_A3_32(SCMP_CMP_MASKED_EQ, MAP_SHARED, MAP_SHARED),
				     SCMP_A4_32(SCMP_CMP_NE, 0xffffffffu));
#ifdef SYS_dup2
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(SV_EV_DUP), SCMP_SYS(dup2), 0);
#endif
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(SV_EV_DUP), SCMP_SYS(dup3), 0);
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(SV_EV_FDUP), SCMP_SYS(dup), 0);
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(SV_EV_FDUP), SCMP_SYS(fcntl), 1,
				     SCMP_A1_32(SCMP_CMP_EQ, F_DUPFD));
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(SV_EV_FDUP), SCMP_SYS(fcntl), 1,
				     SCMP_A1_32(SCMP_CMP_EQ, F_DUPFD_CLOEXEC));
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(SV_EV_PTRACE), SCMP_SYS(ptrace), 0);
	if (!r) {
		*why = "cannot load the filter";
		r = seccomp_load(ctx); /* sets PR_SET_NO_NEW_PRIVS first (SCMP_FLTATR_CTL_NNP) */
	}
	seccomp_release(ctx);
	return r;
}

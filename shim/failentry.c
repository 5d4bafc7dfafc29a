/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * failentry.c - arm64 KVM_EXIT_FAIL_ENTRY.
 *
 * KVM_RUN returning -1/EINVAL with exit_reason FAIL_ENTRY comes from
 * handle_exit()'s ARM_EXCEPTION_IL case.  Two paths lead there: a vCPU
 * caught in AArch32 EL0 on a host whose CPUs do not all run 32-bit EL0
 * (the kernel then marks the vCPU uninitialised, so every later KVM_RUN
 * fails with ENOEXEC until KVM_ARM_VCPU_INIT), or an illegal exception
 * return (a KVM bug; the vCPU stays initialised).  The kernel writes neither
 * fail_entry field on either path; the scrub leaves them zero.
 *
 * Inside KVM_RUN nothing here makes a system call: the cause is established
 * by the next KVM_RUN (ENOEXEC: uninitialised) or, when the VMM asks through
 * kvmrun_compat_fail_entry_reason(), by one KVM_GET_ONE_REG in its thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "config.h"
#include "failentry.h"
#include "real.h"

const char *kvmrun_compat_fail_entry_describe(int reason);

static void set_reason(struct kvmrc_vcpu *v, int64_t reason)
{
	__atomic_store_n(&v->fail_reason, reason, __ATOMIC_RELEASE);
}

void kvmrc_fail_entry_classify(struct kvmrc_vcpu *v, int fd)
{
	uint64_t pstate = 0;
	struct kvm_one_reg reg = { .id = KVMRC_ARM64_REG_PSTATE, .addr = (uintptr_t)&pstate };

	if (!__atomic_load_n(&v->suspect, __ATOMIC_ACQUIRE) || __atomic_load_n(&v->needs_init, __ATOMIC_ACQUIRE))
		return;
	if (kvmrc_next_ioctl(fd, KVM_GET_ONE_REG, &reg) == 0)
		set_reason(v, KVMRUN_COMPAT_FAIL_ENTRY_ILLEGAL_EXCEPTION_RETURN); /* still initialised */
	else if (errno == ENOEXEC)
		set_reason(v, KVMRUN_COMPAT_FAIL_ENTRY_AARCH32_EL0);
}

/* Rate limit: the 1st, 2nd, 4th, 8th ... occurrence is logged. */
static int worth_logging(uint32_t n)
{
	return n && (n & (n - 1)) == 0;
}

int kvmrc_fail_entry_after_run(struct kvmrc_vcpu *v, uint8_t *page, int r, int *err)
{
	struct kvm_run *kr = (struct kvm_run *)page;

	if (r == 0) {
		/* arm64 writes reason and cpu only on the PMU-mismatch path;
		 * ARM_EXCEPTION_HYP_GONE leaves them (the scrub zeroed them). */
		set_reason(v, kr->fail_entry.hardware_entry_failure_reason == KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED
			      ? KVMRUN_COMPAT_FAIL_ENTRY_CPU_UNSUPPORTED : KVMRUN_COMPAT_FAIL_ENTRY_UNKNOWN);
		return r;
	}
	int again = *err == EINVAL && kr->exit_reason == KVM_EXIT_FAIL_ENTRY;
	if (again && !v->suspect && !v->needs_init) {
		__atomic_store_n(&v->suspect, 1, __ATOMIC_RELEASE);
		set_reason(v, KVMRUN_COMPAT_FAIL_ENTRY_UNKNOWN);
		kvmrc_log_hot(KVMRC_LOG_INFO, "vCPU %u: KVM_EXIT_FAIL_ENTRY (illegal state): the guest entered "
			      "AArch32 EL0 on a host without 32-bit EL0 for vCPUs, or an illegal exception return",
			      v->id);
		return r; /* the kernel's own report of the failure goes through */
	}
	/* A later KVM_RUN on the vCPU: ENOEXEC when the kernel checks
	 * initialisation on entry, the same -1/EINVAL FAIL_ENTRY otherwise. */
	if (!(*err == ENOEXEC || again) || !(v->suspect || v->needs_init))
		return r;
	if (!v->needs_init) {
		__atomic_store_n(&v->needs_init, 1, __ATOMIC_RELEASE);
		if (*err == ENOEXEC)
			set_reason(v, KVMRUN_COMPAT_FAIL_ENTRY_AARCH32_EL0);
	}

	uint32_t n = ++v->enoexec_count;
	const char *what = *err == ENOEXEC
		? "KVM_RUN fails with ENOEXEC because the vCPU was left uninitialised by its "
		  "KVM_EXIT_FAIL_ENTRY exit (guest in AArch32 EL0 on a host without 32-bit EL0 for "
		  "vCPUs); the VMM must issue KVM_ARM_VCPU_INIT to reset it"
		: "KVM_RUN fails again with KVM_EXIT_FAIL_ENTRY: the vCPU cannot run "
		  "(guest in AArch32 EL0 on a host without 32-bit EL0 for vCPUs, or an illegal "
		  "exception return); the VMM must issue KVM_ARM_VCPU_INIT to reset it";
	switch (kvmrc_cfg.fail_entry) {
	case KVMRC_FAIL_ENTRY_ABORT:
		kvmrc_log_hot(KVMRC_LOG_ERROR, "vCPU %u: %s; aborting (fail_entry=abort)", v->id, what);
		kvmrc_log_flush(); /* the process ends: system calls no longer matter */
		abort();
	case KVMRC_FAIL_ENTRY_EXIT:
		if (worth_logging(n))
			kvmrc_log_hot(KVMRC_LOG_WARN, "vCPU %u: %s; reported as KVM_EXIT_FAIL_ENTRY (fail_entry=exit, %u times)",
				      v->id, what, n);
		/* exit_reason is read by arm64 KVM_RUN only to complete MMIO;
		 * FAIL_ENTRY is not MMIO, and the fail_entry fields are outputs. */
		kr->exit_reason = KVM_EXIT_FAIL_ENTRY;
		memset(&kr->fail_entry, 0, sizeof(kr->fail_entry));
		v->sc.last_reason = KVM_EXIT_FAIL_ENTRY;
		*err = 0;
		return 0;
	default:
		if (worth_logging(n))
			kvmrc_log_hot(KVMRC_LOG_WARN, "vCPU %u: %s (%u times)", v->id, what, n);
		return r;
	}
}

void kvmrc_fail_entry_vcpu_init(struct kvmrc_vcpu *v)
{
	__atomic_store_n(&v->needs_init, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&v->suspect, 0, __ATOMIC_RELEASE);
	v->enoexec_count = 0;
	set_reason(v, KVMRUN_COMPAT_FAIL_ENTRY_NONE);
}

int kvmrc_fail_entry_reason(int vcpu_fd)
{
	struct kvmrc_vcpu *v = kvmrc_slot_vcpu(kvmrc_fdt_get(vcpu_fd));

	if (!v)
		return -EBADF;
	kvmrc_fail_entry_classify(v, vcpu_fd); /* establishes a pending cause, in this thread */
	return (int)__atomic_load_n(&v->fail_reason, __ATOMIC_ACQUIRE);
}

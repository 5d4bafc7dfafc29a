/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* failentry.h - arm64 KVM_EXIT_FAIL_ENTRY: what happened, and the ENOEXEC
 * that follows until the VMM re-initialises the vCPU.  Nothing here makes a
 * system call: it runs inside KVM_RUN, in vCPU threads that may be under an
 * ioctl-only seccomp filter. */
#ifndef KVMRC_FAILENTRY_H
#define KVMRC_FAILENTRY_H

#include <errno.h>
#include <string.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "fdtable.h"

/* The last exit was an arm64 FAIL_ENTRY: exit_reason is marked before the
 * next KVM_RUN so that a new FAIL_ENTRY can be told from the old one. */
static inline int kvmrc_fail_entry_pending(const struct kvmrc_vcpu *v)
{
	return v->sc.arch == KVMRUN_COMPAT_ARCH_ARM64 && v->sc.last_reason == KVM_EXIT_FAIL_ENTRY;
}

/* exit_reason is read by arm64 KVM_RUN only to complete MMIO: after a
 * FAIL_ENTRY it is output-only, and KVM_EXIT_UNKNOWN marks "not written". */
static inline void kvmrc_fail_entry_before_run(struct kvmrc_vcpu *v, uint8_t *page)
{
	uint32_t unknown = KVM_EXIT_UNKNOWN;
	memcpy(page + KVMRC_RUN_EXIT_REASON_OFFSET, &unknown, 4);
	v->sc.last_reason = KVM_EXIT_UNKNOWN;
}

/* Does an arm64 KVM_RUN result concern FAIL_ENTRY? */
static inline int kvmrc_fail_entry_after_needed(const struct kvmrc_vcpu *v, const uint8_t *page, int r, int err)
{
	uint32_t reason;

	if (v->sc.arch != KVMRUN_COMPAT_ARCH_ARM64)
		return 0;
	if (r == -1)
		return err == EINVAL || err == ENOEXEC;
	memcpy(&reason, page + KVMRC_RUN_EXIT_REASON_OFFSET, 4);
	return reason == KVM_EXIT_FAIL_ENTRY;
}

/* May change the result according to the FAIL_ENTRY policy; returns it. */
int kvmrc_fail_entry_after_run(struct kvmrc_vcpu *v, uint8_t *page, int r, int *err);

/* A KVM_ARM_VCPU_INIT on the vCPU succeeded. */
void kvmrc_fail_entry_vcpu_init(struct kvmrc_vcpu *v);

/* Establishes the cause of a -1/EINVAL FAIL_ENTRY with one KVM_GET_ONE_REG
 * on fd, in the caller's thread (the public API, never KVM_RUN). */
void kvmrc_fail_entry_classify(struct kvmrc_vcpu *v, int fd);

/* kvmrun_compat_fail_entry_reason() of the preload object: lent to the link
 * library at start (attach.h). */
int kvmrc_fail_entry_reason(int vcpu_fd);

#endif

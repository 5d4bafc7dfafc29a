/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* failentry.h - arm64 KVM_EXIT_FAIL_ENTRY: what happened, and the ENOEXEC
 * that follows until the VMM re-initialises the vCPU. */
#ifndef KVMRC_FAILENTRY_H
#define KVMRC_FAILENTRY_H

#include "fdtable.h"

/* After an arm64 KVM_RUN that returned a FAIL_ENTRY exit, or -1 with EINVAL or ENOEXEC.  May
 * change the result according to the FAIL_ENTRY policy; returns it. */
int kvmrc_fail_entry_after_run(int fd, struct kvmrc_vcpu *v, uint8_t *run, int r, int *err);

/* A KVM_ARM_VCPU_INIT on the vCPU succeeded. */
void kvmrc_fail_entry_vcpu_init(struct kvmrc_vcpu *v);

#endif

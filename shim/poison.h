/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * poison.h - with --poison (KVMRUN_COMPAT_POISON), which fields of each exit
 * still read the poison byte after the exit: the bytes no one wrote, that a
 * careful VMM never reads.  Counted per vCPU and per row of the field table
 * (fields.h) for the stats.  Without --poison nothing here runs: a vCPU gets
 * the KVMRC_SLOW_POISON bit of its gate word (fdtable.h) only with it.
 */
#ifndef KVMRC_POISON_H
#define KVMRC_POISON_H

#include <stdint.h>
#include "fields.h"

struct kvmrc_poison_vcpu {
	uint32_t bytes[KVMRC_FIELD_MAX]; /* per field row: poisoned bytes seen after exits */
};

/* After a KVM_RUN that returned r, with before the exit reason at entry:
 * when the kernel reported an exit, counts the bytes of each of its fields
 * that read fill.  No system call, no lock. */
void kvmrc_poison_after_run(struct kvmrc_poison_vcpu *p, const uint8_t *page, unsigned int arch, int r,
			    uint32_t before, uint8_t fill);
/* A vCPU's counts go to the process totals when it is freed. */
void kvmrc_poison_retire(const struct kvmrc_poison_vcpu *p);
uint64_t kvmrc_poison_retired(unsigned int row);
/* "<exit>.<field>" of row i, e.g. "MMIO.data", into buf. */
const char *kvmrc_poison_name(unsigned int i, char *buf, unsigned int len);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi-run.h - --abi=VERSION on the KVM_RUN path: after each KVM_RUN, flag
 * bits VERSION did not define read 0, union bytes VERSION never wrote for
 * the exit read the poison byte (or, with --abi-stale, what the previous
 * exit left there), and the first exit VERSION could not produce is logged.
 * From the table of abi-fields.c, indexed once at configuration.
 *
 * Without --abi nothing here runs: a vCPU gets the KVMRC_SLOW_ABI bit of
 * its gate word (fdtable.h) only when kvmrc_abi_on is set, and the straight
 * KVM_RUN path tests that word anyway.
 */
#ifndef KVMRC_ABI_RUN_H
#define KVMRC_ABI_RUN_H

#include <stdint.h>
#include "kvmrun-compat.h"
#include "abi-fields.h"

/* Per vCPU, written by the thread that runs it (zeroed with the vCPU). */
struct kvmrc_abi_vcpu {
	uint32_t bytes[KVMRC_ABI_ROWS_MAX]; /* per row: bytes set (fields), bits cleared (flags),
					       exits seen (exits) */
	uint8_t prev[256];                  /* --abi-stale: the exit union after the previous exit */
};

/* Set once by kvmrc_abi_run_configure, before any vCPU exists. */
extern uint8_t kvmrc_abi_on;

/* abi: KVMRC_KV of VERSION, 0 for none; stale: --abi-stale. */
void kvmrc_abi_run_configure(uint32_t abi, enum kvmrun_compat_arch arch, int stale);

/* After the real KVM_RUN returned r; before: exit_reason at entry. */
void kvmrc_abi_after_run(struct kvmrc_abi_vcpu *a, uint8_t *page, int r, uint32_t before)
	__attribute__((noinline));

/* A vCPU is freed: its counters go to the process totals. */
void kvmrc_abi_retire(const struct kvmrc_abi_vcpu *a);
/* Counters of freed vCPUs, per row. */
uint64_t kvmrc_abi_retired(unsigned int row);

#endif

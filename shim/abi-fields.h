/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi-fields.h - what each mainline release wrote of kvm_run, for
 * --abi=VERSION: header flag bits, union bytes and whole exits that appeared
 * after a release, per architecture.  One table (abi-fields.c), read by the
 * KVM_RUN path (abi-run.c), by kvmrun-compat --probe, by the tests and
 * checked against docs/abi-ledger.md ("Exit ABI by version").
 */
#ifndef KVMRC_ABI_FIELDS_H
#define KVMRC_ABI_FIELDS_H

#include <stdint.h>
#include "kvmrun-compat.h"

enum kvmrc_abi_kind {
	KVMRC_ABI_FLAG = 1,     /* bits of kvm_run.flags first set by `since`: read 0 before */
	KVMRC_ABI_UNWRITTEN,    /* union bytes of an exit no release before `since` wrote:
				   the poison byte, or (--abi-stale) the previous exit's bytes */
	KVMRC_ABI_ZEROED,       /* union bytes releases before `since` cleared (a memset of the
				   older, shorter struct): 0 */
	KVMRC_ABI_EXIT,         /* an exit no release before `since` produced: logged once */
};

#define KVMRC_ABI_ROWS_MAX 48   /* per-row counters of a vCPU */

struct kvmrc_abi_row {
	const char *name;       /* "<arch>.<exit>.<field>", "<arch>.flags.<bit>", "<arch>.exit.<EXIT>" */
	uint8_t arch;           /* enum kvmrun_compat_arch */
	uint8_t kind;           /* enum kvmrc_abi_kind */
	uint16_t exit_reason;   /* KVM_EXIT_*; 0xffff for FLAG rows (any exit) */
	uint16_t off, len;      /* bytes of kvm_run (FLAG: unused) */
	uint32_t bits;          /* FLAG: the bits */
	uint32_t since;         /* KVMRC_KV of the first mainline release that wrote or produced it */
	const char *ledger;     /* row of docs/abi-ledger.md */
};

extern const struct kvmrc_abi_row kvmrc_abi_rows[];
extern const unsigned int kvmrc_abi_row_count;

/* Does --abi=abi (KVMRC_KV, x.y) on arch act through row r?  abi 0: never. */
static inline int kvmrc_abi_row_applies(const struct kvmrc_abi_row *r, uint32_t abi, unsigned int arch)
{
	return abi && r->arch == arch && r->since > (abi & ~(uint32_t)0xff);
}

#endif

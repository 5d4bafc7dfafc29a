/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exits.h - what each kernel does with the exit union, per architecture and
 * exit reason: the bytes it reads back on the next KVM_RUN (completion
 * inputs) and the bytes it writes when it produces the exit.  The tables are
 * data (exits.c, each row citing docs/abi-ledger.md); the scrub (scrub.h)
 * reads them through a per-(arch, exit) index built once.
 */
#ifndef KVMRC_EXITS_H
#define KVMRC_EXITS_H

#include <stdint.h>
#include "kvmrun-compat.h"

#define KVMRC_NARCH 5
#define KVMRC_MAX_EXIT 64       /* exit reasons indexed directly; larger ones are unknown */
#define KVMRC_LAST_KNOWN_EXIT 43 /* KVM_EXIT_SNP_REQ_CERTS, Linux 7.0 (uapi through 7.1) */

/* When an input range is read back by the kernel. */
enum kvmrc_in_cond {
	KVMRC_IN_ALWAYS = 0,    /* on every completion of this exit */
	KVMRC_IN_MMIO_READ,     /* mmio.data[0, len) when is_write == 0 */
	KVMRC_IN_MMIO_RISCV,    /* riscv: is_write always, and mmio.data[0, len) of a read */
	KVMRC_IN_MMIO_ALL,      /* arm64 before 5.6: len and is_write always, data of a read (kver.h) */
};

/* When a written range is written for an exit. */
enum kvmrc_w_cond {
	KVMRC_W_ALWAYS = 0,     /* on every exit of this reason */
	KVMRC_W_MAYBE,          /* on some paths that the exit does not tell apart: kept */
	KVMRC_W_MMIO_DATA,      /* mmio.data[0, len) when is_write != 0 */
	KVMRC_W_NDATA,          /* u64 entries [0, ndata) of the array at off; u32 ndata at `at` */
	KVMRC_W_ESR_EC,         /* arm64: EC of the u32 hsr at `at` == arg */
	KVMRC_W_U64_EQ,         /* u64 at `at` == arg */
	KVMRC_W_FLAG,           /* run->flags & arg */
	KVMRC_W_CAP,            /* capability arg present or enabled (dates the kernel) */
	KVMRC_W_FACT,           /* the running kernel has fix arg (enum kvmrc_fact, kver.h) */
};

struct kvmrc_input {
	uint8_t arch;           /* enum kvmrun_compat_arch */
	uint8_t exit_reason;
	uint8_t cond;           /* enum kvmrc_in_cond */
	uint16_t off, len;      /* bytes of kvm_run */
	const char *what;
	const char *ledger;
};

struct kvmrc_write {
	uint8_t arch;
	uint8_t exit_reason;
	uint8_t cond;           /* enum kvmrc_w_cond */
	uint16_t off, len;
	uint16_t at;
	uint32_t arg;
	const char *ledger;
};

extern const struct kvmrc_input kvmrc_inputs[];
extern const unsigned int kvmrc_input_count;
extern const struct kvmrc_write kvmrc_writes[];
extern const unsigned int kvmrc_write_count;

/* Per (arch, exit reason): the one input range (len 0: none) and the rows of
 * kvmrc_writes that describe the exit.  `known` is 0 for a reason the tables
 * do not describe: no scrub follows it, and kept bytes are not resolved. */
struct kvmrc_exit_desc {
	uint32_t pend;          /* inputs when in_cond is ALWAYS (scrub.h KVMRC_PEND) */
	uint8_t in_mask[32];    /* the input bytes of the union, where rows leave holes */
	uint16_t in_off, in_len; /* the range spanning every input row */
	uint8_t in_cond;
	uint8_t known;
	uint8_t w_first, w_count;
	uint8_t rule_first, rule_count; /* after-run rules (engine.c) */
	uint8_t w_cond;         /* how many of its kvmrc_writes rows have a condition */
	uint64_t w_always[5];   /* union bytes its unconditional rows write (ALWAYS, MAYBE), a
				   bit each; the fifth word stays 0 (reads past the union) */
};
extern struct kvmrc_exit_desc kvmrc_exit_index[KVMRC_NARCH][KVMRC_MAX_EXIT];

/* Builds kvmrc_exit_index.  Idempotent; racing callers store the same values. */
void kvmrc_exits_init(void);

/* First byte and size of the exit union for arch (0 size: unknown arch). */
static inline unsigned int kvmrc_union_off(unsigned int arch)
{
	return arch == KVMRUN_COMPAT_ARCH_S390X ? 48u : 32u;
}
#define KVMRC_UNION_SIZE 256u

#endif

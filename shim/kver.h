/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kver.h - facts about the running kernel that neither the exit nor a
 * capability tells: fixes that landed without an ABI flag, dated by the
 * kernel's release (mainline and stable backports).  Read once, at start-up.
 */
#ifndef KVMRC_KVER_H
#define KVMRC_KVER_H

#include <stdint.h>

#define KVMRC_KV(a, b, c) (((uint32_t)(a) << 16) | ((uint32_t)(b) << 8) | (uint32_t)(c))

enum kvmrc_fact {
	KVMRC_FACT_NONE = 0,
	KVMRC_FACT_ARM64_WATCHPT_FAR = 1,  /* watchpoint exits report the watched address in far */
	KVMRC_FACT_ARM64_MMIO_FROM_ESR,    /* MMIO completion takes len and direction from the ESR,
					      not from mmio.len/is_write */
	KVMRC_FACT_X86_HYPERCALL_RET_ZERO, /* hypercall exits write hypercall.ret = 0 */
	KVMRC_FACT_COUNT
};

struct kvmrc_fix {
	const char *what;
	const char *commit;
	uint32_t mainline;                  /* first mainline release with it */
	uint32_t stable[3];                 /* stable series that took it: first x.y.z of each */
};
extern const struct kvmrc_fix kvmrc_fixes[KVMRC_FACT_COUNT];

/* Parses a release (uname -r) and version (uname -v) into KVMRC_KV; Debian
 * kernels carry the upstream x.y.z in the version ("... Debian 6.1.112-1"). */
uint32_t kvmrc_kver_parse(const char *release, const char *version);

/* Does a kernel at kv have the fix behind fact? */
int kvmrc_kver_has(uint32_t kv, enum kvmrc_fact fact);

/* The running kernel (0 when unknown: every fact then counts as absent). */
extern uint32_t kvmrc_kver;
void kvmrc_kver_init(void);
/* KVMRUN_COMPAT_KERNEL: another kernel's facts (for emulators and tests). */
void kvmrc_kver_set(uint32_t kv);

/* Bit f set: the running kernel has the fix behind fact f (kvmrc_kver_has of
 * kvmrc_kver, kept with it by kvmrc_kver_init and kvmrc_kver_set). */
extern uint32_t kvmrc_kver_facts;

static inline int kvmrc_fact_holds(unsigned int fact)
{
	return fact == KVMRC_FACT_NONE ||
	       (fact < 32 && ((__atomic_load_n(&kvmrc_kver_facts, __ATOMIC_RELAXED) >> fact) & 1));
}

#endif

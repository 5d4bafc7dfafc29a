/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rules.h - the ABI rule table: which kvm_run bytes a kernel may leave stale,
 * and what vouches for them.  The table is data (rules.c); engine.c applies it. */
#ifndef KVMRC_RULES_H
#define KVMRC_RULES_H

#include <stdint.h>
#include "kvmrun-compat.h"
#include "exits.h"

/* When a rule is considered, as a mask of what KVM_RUN returned. */
enum kvmrc_when {
	KVMRC_WHEN_BEFORE_RUN = 1u << 0, /* applied before KVM_RUN (output-only bytes) */
	KVMRC_WHEN_RET_OK     = 1u << 1, /* KVM_RUN returned 0 */
	KVMRC_WHEN_RET_EFAULT = 1u << 2, /* -1 with EFAULT or EHWPOISON (memory fault exits) */
	KVMRC_WHEN_RET_EINVAL = 1u << 3, /* -1 with EINVAL (arm64 illegal-state FAIL_ENTRY) */
};

/* What can vouch that the kernel wrote the field on this exit. */
enum kvmrc_vouch {
	KVMRC_VOUCH_NONE,      /* nothing: the rule always acts */
	KVMRC_VOUCH_FLAG,      /* run->flags & arg */
	KVMRC_VOUCH_CAP,       /* capability arg present or enabled on the VM */
	KVMRC_VOUCH_ESR_EC,    /* arm64: EC of the 32-bit hsr at vouch_at == arg */
	KVMRC_VOUCH_U32_EQ,    /* u32 at vouch_at == arg (x86 debug: exception vector) */
	KVMRC_VOUCH_U64_EQ,    /* u64 at vouch_at == arg (arm64 fail_entry reason) */
	KVMRC_VOUCH_U64_NE,    /* u64 at vouch_at != arg (hypercall nr) */
	KVMRC_VOUCH_U64_ANY,   /* u64 at vouch_at & arg != 0 (x86 dr6 breakpoint bits) */
	KVMRC_VOUCH_U64_NONE,  /* u64 at vouch_at & arg == 0 (arm64 ESR.FnV clear) */
	KVMRC_VOUCH_U8_NE,     /* u8 at vouch_at != arg (endian-free; s390x tsch.dequeued) */
};

/* What the rule does when nothing vouches for the field. */
enum kvmrc_action {
	KVMRC_ACT_ZERO,        /* bytes [offset, offset+size) = 0 */
	KVMRC_ACT_CLAMP_U32,   /* u32 at offset = min(value, arg) */
	KVMRC_ACT_ZERO_BEYOND, /* u64 array at offset: zero entries from index (u32 at arg) on */
};

#define KVMRC_EXIT_ANY 0xffffu
#define KVMRC_MAX_RULES 64

struct kvmrc_rule {
	const char *name;          /* "<arch>.<exit>.<field>" */
	uint8_t arch;              /* enum kvmrun_compat_arch */
	uint8_t when;              /* enum kvmrc_when mask */
	uint16_t exit_reason;      /* KVM_EXIT_* or KVMRC_EXIT_ANY (before-run rules) */
	uint16_t offset;           /* bytes into struct kvm_run */
	uint16_t size;
	uint8_t vouch;             /* enum kvmrc_vouch */
	uint8_t action;            /* enum kvmrc_action */
	uint16_t vouch_at;         /* byte in kvm_run the vouch reads (U32/U64/ESR kinds) */
	uint8_t fixed_fact;        /* enum kvmrc_fact (kver.h): the vouch holds only on kernels
				      with that fix (the kernel wrote a stale value before) */
	uint32_t vouch_arg;
	uint32_t action_arg;
	const char *since;         /* kernel that defined or fixed the field */
	const char *source;        /* commit or source line */
	const char *ledger;        /* row in docs/abi-ledger.md */
};

extern const struct kvmrc_rule kvmrc_rules[];
extern const unsigned int kvmrc_rule_count;


#endif

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

/* What can vouch that the kernel wrote the field on this exit: the public
 * enum kvmrun_compat_vouch_kind (kvmrun-compat.h).  Only the kinds a rule
 * uses exist; kvmrc_vouch_text() (rules.c) is their one description. */

/* What the rule does when nothing vouches for the field. */
enum kvmrc_action {
	KVMRC_ACT_ZERO,        /* bytes [offset, offset+size) = 0 */
	KVMRC_ACT_CLAMP_U32,   /* u32 at offset = min(value, arg) */
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
	uint8_t vouch;             /* enum kvmrun_compat_vouch_kind */
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

/* What vouches for rule r, for people: "nothing", "EC of u32@32 == 0x34".
 * Writes at most len bytes to buf and returns buf. */
const char *kvmrc_vouch_text(const struct kvmrc_rule *r, char *buf, unsigned int len);


#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* engine.h - applies the rule table to one kvm_run page. */
#ifndef KVMRC_ENGINE_H
#define KVMRC_ENGINE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "kvmrun-compat.h"
#include "kvmrun-compat-uapi.h"
#include "rules.h"

/* Builds the (arch, exit reason) -> rule index.  Idempotent, lock-free;
 * called from the library constructor and from every API entry point. */
void kvmrc_engine_init(void);

/* Which enum kvmrc_when a KVM_RUN result falls in (0: no rule applies). */
static inline unsigned int kvmrc_when_of(int ret, int err)
{
	if (ret == 0)
		return KVMRC_WHEN_RET_OK;
	if (ret != -1)
		return 0;
	if (err == EFAULT || err == EHWPOISON)
		return KVMRC_WHEN_RET_EFAULT;
	if (err == EINVAL)
		return KVMRC_WHEN_RET_EINVAL;
	return 0;
}

/* Rows [first, first + count) of kvmrc_rules apply to one (arch, exit). */
struct kvmrc_span {
	uint8_t first;
	uint8_t count;
};
/* Slot KVMRC_MAX_EXIT holds the before-run rules. */
extern struct kvmrc_span kvmrc_rule_index[KVMRC_NARCH][KVMRC_MAX_EXIT + 1];

int kvmrc_engine_apply_span(uint8_t *run, const struct kvmrun_compat_caps *caps, unsigned int when,
			    struct kvmrc_span s, uint32_t *hits);

/*
 * Hot path.  Applies every rule of arch for run's exit reason that matches
 * `when`.  hits (may be NULL) gets +1 at the index of each rule that changed
 * a byte.  Returns how many rules changed bytes.  No locks, no allocation,
 * no system calls.  run must be at least the arch's sizeof(struct kvm_run).
 * Inline, so an exit without rules costs a table load and a compare.
 */
static inline int kvmrc_engine_apply(uint8_t *run, enum kvmrun_compat_arch arch,
				     const struct kvmrun_compat_caps *caps, unsigned int when,
				     uint32_t *hits)
{
	unsigned int slot = KVMRC_MAX_EXIT;

	if ((unsigned int)arch >= KVMRC_NARCH || when == 0)
		return 0;
	if (!(when & KVMRC_WHEN_BEFORE_RUN)) {
		uint32_t reason;
		__builtin_memcpy(&reason, run + KVMRC_RUN_EXIT_REASON_OFFSET, sizeof(reason));
		if (reason >= KVMRC_MAX_EXIT)
			return 0;
		slot = reason;
	}
	struct kvmrc_span s = kvmrc_rule_index[arch][slot];
	return s.count ? kvmrc_engine_apply_span(run, caps, when, s, hits) : 0;
}

/* Does a before-run rule clear run->flags on arch (output-only there)? */
uint8_t kvmrc_engine_flags_output_only(enum kvmrun_compat_arch arch);

/* sizeof(struct kvm_run) for arch (0 for an unknown arch). */
size_t kvmrc_run_size(enum kvmrun_compat_arch arch);

#endif

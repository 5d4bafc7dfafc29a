/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* engine.h - applies the rule table to one kvm_run page. */
#ifndef KVMRC_ENGINE_H
#define KVMRC_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include "kvmrun-compat.h"
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
	if (err == 14 /* EFAULT */ || err == 133 /* EHWPOISON */)
		return KVMRC_WHEN_RET_EFAULT;
	if (err == 22 /* EINVAL */)
		return KVMRC_WHEN_RET_EINVAL;
	return 0;
}

/*
 * Hot path.  Applies every rule of arch for run's exit reason that matches
 * `when`.  hits (may be NULL) gets +1 at the index of each rule that changed
 * a byte.  Returns how many rules changed bytes.  No locks, no allocation,
 * no system calls.  run must be at least the arch's sizeof(struct kvm_run).
 */
int kvmrc_engine_apply(uint8_t *run, enum kvmrun_compat_arch arch,
		       const struct kvmrun_compat_caps *caps, unsigned int when,
		       uint32_t *hits);

/* sizeof(struct kvm_run) for arch (0 for an unknown arch). */
size_t kvmrc_run_size(enum kvmrun_compat_arch arch);

#endif

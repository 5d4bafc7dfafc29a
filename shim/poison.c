/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * poison.c - the bytes of each exit field that still read the poison byte
 * after the exit (poison.h).  A byte the kernel wrote with the poison's value
 * counts too: the count is what a VMM reading the field would see, and the
 * poison byte is chosen to be an unlikely value (0xa5 by default).
 */
#include <stdio.h>
#include "kvmrun-compat-uapi.h"
#include "poison.h"

static uint64_t retired[KVMRC_FIELD_MAX];

void kvmrc_poison_after_run(struct kvmrc_poison_vcpu *p, const uint8_t *page, unsigned int arch, int r,
			    uint32_t before, uint8_t fill)
{
	uint32_t exit_reason;

	__builtin_memcpy(&exit_reason, page + KVMRC_RUN_EXIT_REASON_OFFSET, sizeof(exit_reason));
	if (r != 0 && exit_reason == before)
		return; /* not entered: the exit is the previous one, counted then */
	for (unsigned int i = 0; i < kvmrc_field_count && i < KVMRC_FIELD_MAX; i++) {
		const struct kvmrc_field *f = &kvmrc_fields[i];
		if (f->exit_reason == KVMRC_FIELD_EXIT_ANY || !kvmrc_field_applies(f, arch, exit_reason) ||
		    !kvmrc_field_selected(f, page))
			continue; /* header fields (flags) are never poisoned, only cleared; another member */
		uint32_t n = 0;
		for (unsigned int b = 0; b < f->size; b++)
			n += page[f->off + b] == fill;
		if (n)
			__atomic_store_n(&p->bytes[i], __atomic_load_n(&p->bytes[i], __ATOMIC_RELAXED) + n,
					 __ATOMIC_RELAXED);
	}
}

void kvmrc_poison_retire(const struct kvmrc_poison_vcpu *p)
{
	for (unsigned int i = 0; i < kvmrc_field_count && i < KVMRC_FIELD_MAX; i++) {
		uint32_t n = __atomic_load_n(&p->bytes[i], __ATOMIC_RELAXED);
		if (n)
			__atomic_add_fetch(&retired[i], n, __ATOMIC_RELAXED);
	}
}

uint64_t kvmrc_poison_retired(unsigned int row)
{
	return row < KVMRC_FIELD_MAX ? __atomic_load_n(&retired[row], __ATOMIC_RELAXED) : 0;
}

const char *kvmrc_poison_name(unsigned int i, char *buf, unsigned int len)
{
	snprintf(buf, len, "%s.%s", kvmrc_exit_name(kvmrc_fields[i].exit_reason), kvmrc_fields[i].name);
	return buf;
}

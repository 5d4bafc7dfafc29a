/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * engine.c - the rule engine.  Looks up the rules for (arch, exit reason),
 * asks what vouches for each field, and zeroes or bounds what nothing vouches
 * for.  The scrub (scrub.h) already zeroed every byte the kernel does not
 * write; the rules left are for what it cannot decide: values written out of
 * the ABI's range, values written stale, output-only header bytes.
 */
#include <errno.h>
#include <string.h>
#include "kvmrun-compat-uapi.h"
#include "engine.h"
#include "exits.h"
#include "kver.h"
#include "layout.h"
#include "scrub.h"


/* first rule index + count per (arch, exit reason); slot KVMRC_MAX_EXIT holds
 * the before-run rules (exit reason KVMRC_EXIT_ANY). */
struct kvmrc_span kvmrc_rule_index[KVMRC_NARCH][KVMRC_MAX_EXIT + 1];
uint8_t kvmrc_scrub_fill; /* scrub.h; defined here, whose rules use it too */
static int index_ready;

void kvmrc_engine_init(void)
{
	if (__atomic_load_n(&index_ready, __ATOMIC_ACQUIRE))
		return;
	kvmrc_exits_init();
	kvmrc_kver_init();
	/* Deterministic: two threads racing here store the same values. */
	for (unsigned int i = 0; i < kvmrc_rule_count && i < KVMRC_MAX_RULES; i++) {
		const struct kvmrc_rule *r = &kvmrc_rules[i];
		unsigned int slot = r->exit_reason == KVMRC_EXIT_ANY ? KVMRC_MAX_EXIT : r->exit_reason;

		if (r->arch >= KVMRC_NARCH || slot > KVMRC_MAX_EXIT)
			continue;
		struct kvmrc_span *s = &kvmrc_rule_index[r->arch][slot];
		if (s->count == 0)
			__atomic_store_n(&s->first, (uint8_t)i, __ATOMIC_RELAXED);
		/* rows of one (arch, exit) are contiguous (checked by a unit test) */
		__atomic_store_n(&s->count, (uint8_t)(i - s->first + 1), __ATOMIC_RELAXED);
	}
	/* the scrub reads an exit's rules from its exit descriptor */
	for (unsigned int a = 0; a < KVMRC_NARCH; a++)
		for (unsigned int e = 0; e < KVMRC_MAX_EXIT; e++) {
			kvmrc_exit_index[a][e].rule_first = kvmrc_rule_index[a][e].first;
			kvmrc_exit_index[a][e].rule_count = kvmrc_rule_index[a][e].count;
		}
	__atomic_store_n(&index_ready, 1, __ATOMIC_RELEASE);
}

size_t kvmrc_run_size(enum kvmrun_compat_arch arch)
{
	switch (arch) {
	case KVMRUN_COMPAT_ARCH_X86_64:
	case KVMRUN_COMPAT_ARCH_ARM64:
	case KVMRUN_COMPAT_ARCH_RISCV64:
		return KVMRC_RUN_SIZE;
	case KVMRUN_COMPAT_ARCH_S390X:
		return KVMRC_RUN_SIZE_S390;
	default:
		return 0;
	}
}

static inline uint32_t load_u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t load_u64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline __attribute__((always_inline)) int vouched(const struct kvmrc_rule *r, const uint8_t *run)
{
	const uint8_t *at = run + r->vouch_at;

	if (!kvmrc_fact_holds(r->fixed_fact))
		return 0;
	switch (r->vouch) {
	case KVMRUN_COMPAT_VOUCH_NONE:
		return 0;
	case KVMRUN_COMPAT_VOUCH_ESR_EC:
		return KVMRC_ESR_EC(load_u32(at)) == r->vouch_arg;
	default:
		return 1; /* unknown vouch kind: leave the bytes alone */
	}
}

/* Is any of the n bytes at p non-zero?  Word-wise: rule ranges are short
 * and this runs on every exit. */
static inline int any_nonzero(const uint8_t *p, unsigned int n)
{
	uint64_t acc = 0;
	unsigned int i = 0;

	switch (n) { /* the common field sizes, without a loop */
	case 2: { uint16_t v; memcpy(&v, p, 2); return v != 0; }
	case 4: return load_u32(p) != 0;
	case 8: return load_u64(p) != 0;
	}
	for (; i + 32 <= n; i += 32)
		acc |= load_u64(p + i) | load_u64(p + i + 8) | load_u64(p + i + 16) | load_u64(p + i + 24);
	for (; i + 8 <= n; i += 8)
		acc |= load_u64(p + i);
	for (; i < n; i++)
		acc |= p[i];
	return acc != 0;
}

static int all_bytes(const uint8_t *p, unsigned int n, uint8_t v)
{
	for (unsigned int i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

/* Returns 1 when a byte changed. */
static inline __attribute__((always_inline)) int act(const struct kvmrc_rule *r, uint8_t *run)
{
	uint8_t *p = run + r->offset;
	uint32_t v;

	switch (r->action) {
	case KVMRC_ACT_ZERO: {
		/* union bytes take the scrub's fill (the poison byte, if asked);
		 * header fields such as flags are always 0 */
		uint8_t f = r->offset >= kvmrc_union_off(r->arch) ? kvmrc_scrub_fill : 0;
		if (f == 0 ? !any_nonzero(p, r->size) : all_bytes(p, r->size, f))
			return 0;
		memset(p, f, r->size);
		return 1;
	}
	case KVMRC_ACT_CLAMP_U32:
		v = load_u32(p);
		if (v <= r->action_arg)
			return 0;
		v = r->action_arg;
		memcpy(p, &v, sizeof(v));
		return 1;
	default:
		return 0;
	}
}

int kvmrc_engine_apply_span(uint8_t *run, const struct kvmrun_compat_caps *caps, unsigned int when,
			    struct kvmrc_span s, uint32_t *hits)
{
	int changed = 0;

	(void)caps; /* no rule is vouched for by a capability any more: the writes
		     * table (exits.c) reads them */
	for (unsigned int i = s.first; i < (unsigned int)s.first + s.count; i++) {
		const struct kvmrc_rule *r = &kvmrc_rules[i];
		if (!(r->when & when) || vouched(r, run))
			continue;
		if (act(r, run)) {
			changed++;
			if (hits)
				__atomic_store_n(&hits[i], __atomic_load_n(&hits[i], __ATOMIC_RELAXED) + 1,
						 __ATOMIC_RELAXED);
		}
	}
	return changed;
}

uint8_t kvmrc_engine_flags_output_only(enum kvmrun_compat_arch arch)
{
	for (unsigned int i = 0; i < kvmrc_rule_count; i++) {
		const struct kvmrc_rule *r = &kvmrc_rules[i];
		if (r->arch == arch && (r->when & KVMRC_WHEN_BEFORE_RUN) && r->offset == KVMRC_RUN_FLAGS_OFFSET)
			return 1;
	}
	return 0;
}

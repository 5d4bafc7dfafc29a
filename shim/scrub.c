/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * scrub.c - the rarer halves of the scrub: keeping more than one word of
 * input, and deciding which kept input bytes the next exit overwrote.
 */
#include <pthread.h>
#include <string.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "kver.h"
#include "scrub.h"


/* Is union byte b (kvm_run offset) one of the pending exit's inputs? */
static int kept(const struct kvmrc_scrub *v, unsigned int b)
{
	unsigned int off = KVMRC_PEND_OFF(v->pend), len = KVMRC_PEND_LEN(v->pend);

	if (b < off || b >= off + len)
		return 0;
	if (!(v->pend & KVMRC_PEND_MASKED) || v->last_reason >= KVMRC_MAX_EXIT)
		return 1;
	const uint8_t *m = v->exits[v->last_reason].in_mask;
	return (m[(b - v->uoff) / 8] >> ((b - v->uoff) % 8)) & 1;
}

void kvmrc_scrub_keep(struct kvmrc_scrub *v, uint8_t *page, uint8_t fill)
{
	uint8_t saved[KVMRC_UNION_SIZE];
	unsigned int off = KVMRC_PEND_OFF(v->pend), len = KVMRC_PEND_LEN(v->pend);

	if (off < v->uoff || off + len > v->uoff + KVMRC_UNION_SIZE)
		return; /* not a union range: nothing to scrub around */
	memcpy(saved, page + off, len);
	memset(page + v->uoff, fill, KVMRC_UNION_SIZE);
	for (unsigned int b = off; b < off + len; b++)
		if (kept(v, b))
			page[b] = saved[b - off];
}

uint32_t kvmrc_scrub_plan[KVMRC_NARCH][KVMRC_MAX_EXIT];
uint8_t kvmrc_scrub_rules_only[KVMRC_NARCH][KVMRC_MAX_EXIT];
kvmrc_fillvec kvmrc_scrub_fillv;

void kvmrc_scrub_set_fill(uint8_t fill)
{
	kvmrc_scrub_fill = fill;
	for (unsigned int i = 0; i < sizeof(kvmrc_scrub_fillv); i++)
		kvmrc_scrub_fillv[i] = fill;
}

/* Is the conditional row of d mmio.data[0, len) of a write? */
static int mmio_data_row(const struct kvmrc_exit_desc *d)
{
	for (unsigned int i = d->w_first; i < (unsigned int)d->w_first + d->w_count; i++) {
		const struct kvmrc_write *w = &kvmrc_writes[i];
		if (w->cond != KVMRC_W_ALWAYS && w->cond != KVMRC_W_MAYBE)
			return w->cond == KVMRC_W_MMIO_DATA && w->off == L_MMIO_DATA && w->len == 8;
	}
	return 0;
}

/* One exit's after-run plan: what kvmrc_scrub_after() would do, when that
 * is only recording a pend.  arm64 FAIL_ENTRY is followed by its policy
 * (failentry.h), which the caller runs from the full step. */
static uint32_t plan_of(unsigned int arch, unsigned int reason)
{
	const struct kvmrc_exit_desc *d = &kvmrc_exit_index[arch][reason];

	if (!d->known || d->rule_count || (arch == KVMRUN_COMPAT_ARCH_ARM64 && reason == KVM_EXIT_FAIL_ENTRY))
		return KVMRC_PLAN_FULL;
	if (d->in_cond == KVMRC_IN_ALWAYS)
		return d->pend >= KVMRC_PLAN_MMIO_READ ? KVMRC_PLAN_FULL : kvmrc_scrub_word(d->pend, kvmrc_union_off(arch));
	unsigned int u = L_MMIO_DATA - kvmrc_union_off(arch);
	if (d->in_cond == KVMRC_IN_MMIO_READ && d->in_off == L_MMIO_DATA && d->in_len == 8 &&
	    d->w_cond == 1 && mmio_data_row(d) && u + 8 <= 64 && !((d->w_always[0] >> u) & 0xff))
		return KVMRC_PLAN_MMIO_READ; /* kvmrc_scrub_kept_after() knows its one conditional row,
						and no unconditional one reaches mmio.data */
	return KVMRC_PLAN_FULL;
}

static pthread_once_t plan_once = PTHREAD_ONCE_INIT;

static void build_plans(void)
{
	for (unsigned int a = 0; a < KVMRC_NARCH; a++)
		for (unsigned int e = 0; e < KVMRC_MAX_EXIT; e++) {
			const struct kvmrc_exit_desc *d = &kvmrc_exit_index[a][e];
			kvmrc_scrub_plan[a][e] = plan_of(a, e);
			kvmrc_scrub_rules_only[a][e] =
				d->known && d->rule_count && d->in_cond == KVMRC_IN_ALWAYS &&
				d->pend < KVMRC_PLAN_MMIO_READ && !(a == KVMRUN_COMPAT_ARCH_ARM64 && e == KVM_EXIT_FAIL_ENTRY);
		}
}

void kvmrc_scrub_init(struct kvmrc_scrub *s, unsigned int arch, int pend_unknown,
		      const struct kvmrun_compat_caps *caps, uint32_t *hits)
{
	pthread_once(&plan_once, build_plans);
	memset(s, 0, sizeof(*s));
	s->arch = (uint8_t)arch;
	s->exits = kvmrc_exit_index[arch < KVMRC_NARCH ? arch : 0];
	s->plan = kvmrc_scrub_plan[arch < KVMRC_NARCH ? arch : 0];
	s->uoff = (uint16_t)kvmrc_union_off(arch);
	s->flags_out = kvmrc_engine_flags_output_only((enum kvmrun_compat_arch)arch);
	s->clear_at = s->flags_out ? KVMRC_RUN_FLAGS_OFFSET : s->uoff;
	s->pend = pend_unknown ? KVMRC_PEND_UNKNOWN : KVMRC_PEND(0, 0);
	s->last_reason = UINT32_MAX; /* no exit yet */
	s->caps = caps;
	s->hits = hits;
}

static int has_cap(const struct kvmrc_scrub *v, unsigned int cap)
{
	const struct kvmrun_compat_caps *c = v->caps;
	return c && cap < 256 && (__atomic_load_n(&c->bits[cap / 64], __ATOMIC_RELAXED) >> (cap % 64)) & 1;
}

/* How many bytes from w->off the kernel wrote for this exit (0: none). */
static inline unsigned int written(const struct kvmrc_scrub *v, const struct kvmrc_write *w, const uint8_t *page)
{
	uint32_t n;
	uint16_t flags;

	switch (w->cond) {
	case KVMRC_W_ALWAYS:
	case KVMRC_W_MAYBE:
		return w->len;
	case KVMRC_W_MMIO_DATA:
		if (!page[L_MMIO_IS_WRITE])
			return 0;
		n = kvmrc_load32(page + L_MMIO_LEN);
		return n < w->len ? n : w->len;
	case KVMRC_W_NDATA:
		n = kvmrc_load32(page + w->at);
		return n < w->len / 8u ? n * 8u : w->len;
	case KVMRC_W_ESR_EC:
		return KVMRC_ESR_EC(kvmrc_load32(page + w->at)) == w->arg ? w->len : 0;
	case KVMRC_W_U64_EQ:
		return kvmrc_load64(page + w->at) == w->arg ? w->len : 0;
	case KVMRC_W_FLAG:
		memcpy(&flags, page + KVMRC_RUN_FLAGS_OFFSET, 2);
		return (flags & w->arg) ? w->len : 0;
	case KVMRC_W_CAP:
		return has_cap(v, w->arg) ? w->len : 0;
	case KVMRC_W_FACT:
		return kvmrc_fact_holds(w->arg) ? w->len : 0;
	default:
		return w->len; /* unknown condition: assume written (never erase) */
	}
}

/* Bits [lo, hi) of a 64-bit mask, hi <= 64. */
static uint64_t bits(unsigned int lo, unsigned int hi)
{
	uint64_t upto = hi >= 64 ? ~0ull : (1ull << hi) - 1;
	return upto & ~((1ull << lo) - 1);
}

/* kvmrc_scrub_resolve for a union range of at most 64 bytes without holes
 * (one MMIO read's data, a hypercall's ret): the same bytes, as bit masks,
 * the exit's unconditional writes taken from its precomputed mask. */
static void resolve_short(struct kvmrc_scrub *v, uint8_t *page, const struct kvmrc_exit_desc *d,
			  unsigned int off, unsigned int len)
{
	unsigned int u = off - v->uoff, sh = u % 64;
	const uint64_t *wa = &d->w_always[u / 64];
	uint64_t keep = bits(0, len) & ~((wa[0] >> sh) | (sh ? wa[1] << (64 - sh) : 0));

	for (unsigned int i = d->w_first, left = d->w_cond; keep && left; i++) {
		const struct kvmrc_write *w = &kvmrc_writes[i];
		if (w->cond == KVMRC_W_ALWAYS || w->cond == KVMRC_W_MAYBE)
			continue;
		left--;
		unsigned int lo = w->off > off ? w->off : off, hi = w->off + written(v, w, page);
		if (hi > off + len)
			hi = off + len;
		if (lo < hi)
			keep &= ~bits(lo - off, hi - off);
	}
	if (!keep)
		return;
	unsigned int zeroed = 0;
	for (uint64_t k = keep; k; k &= k - 1, zeroed++)
		page[off + (unsigned int)__builtin_ctzll(k)] = kvmrc_scrub_fill;
	__atomic_store_n(&v->kept_zeroed, v->kept_zeroed + zeroed, __ATOMIC_RELAXED);
}

void kvmrc_scrub_save_immediate(struct kvmrc_scrub *v, const uint8_t *page)
{
	if (!v->imm_save)
		return;
	memcpy(v->imm_save, page + v->uoff, KVMRC_UNION_SIZE);
	v->immediate = 1;
}

/*
 * KVM_RUN with immediate_exit returned -1/EINTR without entering: the
 * kernel wrote nothing, so without the library the VMM would read the last
 * exit again, and VMMs do (the kernel's selftests call get_ucall() again
 * after vcpu_run_complete_io()).  Put back the union bytes that exit wrote
 * (the write table, evaluated on the page as it was at entry); the rest
 * stays as the scrub left it, as do flags.
 */
void kvmrc_scrub_restore_immediate(struct kvmrc_scrub *v, uint8_t *page)
{
	uint8_t img[KVMRC_RUN_UNION_OFFSET_S390 + KVMRC_UNION_SIZE];
	uint32_t reason = v->last_reason;

	if (reason >= KVMRC_MAX_EXIT || !v->exits[reason].known || v->uoff > KVMRC_RUN_UNION_OFFSET_S390)
		return; /* no exit yet, or one the tables do not describe: nothing is known written */
	memcpy(img, page, v->uoff);
	memcpy(img + v->uoff, v->imm_save, KVMRC_UNION_SIZE);
	const struct kvmrc_exit_desc *d = &v->exits[reason];
	for (unsigned int i = d->w_first; i < (unsigned int)d->w_first + d->w_count; i++) {
		const struct kvmrc_write *w = &kvmrc_writes[i];
		unsigned int n = written(v, w, img);
		if (w->off >= v->uoff && w->off + n <= v->uoff + KVMRC_UNION_SIZE)
			memcpy(page + w->off, img + w->off, n);
	}
}

void kvmrc_scrub_resolve(struct kvmrc_scrub *v, uint8_t *page, uint32_t reason)
{
	unsigned int off = KVMRC_PEND_OFF(v->pend), len = KVMRC_PEND_LEN(v->pend);
	uint8_t wrote[KVMRC_UNION_SIZE];

	if (reason >= KVMRC_MAX_EXIT || !v->exits[reason].known || len > KVMRC_UNION_SIZE)
		return; /* an exit the tables do not describe: keep (fail open) */
	const struct kvmrc_exit_desc *d = &v->exits[reason];
	if (len <= 64 && !(v->pend & KVMRC_PEND_MASKED) && off >= v->uoff && off + len <= v->uoff + KVMRC_UNION_SIZE) {
		resolve_short(v, page, d, off, len);
		return;
	}
	memset(wrote, 0, len);
	for (unsigned int i = d->w_first; i < (unsigned int)d->w_first + d->w_count; i++) {
		const struct kvmrc_write *w = &kvmrc_writes[i];
		unsigned int n = written(v, w, page);
		for (unsigned int b = w->off; b < (unsigned int)w->off + n; b++)
			if (b >= off && b < off + len)
				wrote[b - off] = 1;
	}
	unsigned int zeroed = 0;
	for (unsigned int b = 0; b < len; b++)
		if (!wrote[b] && kept(v, off + b)) {
			page[off + b] = kvmrc_scrub_fill;
			zeroed++;
		}
	if (zeroed)
		__atomic_store_n(&v->kept_zeroed, v->kept_zeroed + zeroed, __ATOMIC_RELAXED);
}

/* The kept-word path's after-run step for any exit (scrub.h:
 * kvmrc_scrub_kept_after inlines the MMIO case); plan: the caller's. */
int kvmrc_scrub_kept_after_any(struct kvmrc_scrub *v, const uint32_t *plan, uint8_t *page)
{
	uint32_t reason = kvmrc_load32(page + KVMRC_RUN_EXIT_REASON_OFFSET);

	if (reason >= KVMRC_MAX_EXIT || plan[reason] == KVMRC_PLAN_FULL)
		return 0;
	uint32_t p = plan[reason];
	const struct kvmrc_exit_desc *d = &v->exits[reason];
	unsigned int off = KVMRC_PEND_OFF(v->pend), u = off - v->uoff, sh = u % 64;
	const uint64_t *wa = &d->w_always[u / 64];
	/* bit i: byte off + i is kept and not written unconditionally */
	uint32_t kb = ((1u << KVMRC_PEND_LEN(v->pend)) - 1) &
		      ~(uint32_t)((wa[0] >> sh) | (sh > 56 ? wa[1] << (64 - sh) : 0));
	if (p == KVMRC_PLAN_MMIO_READ) { /* its one conditional row: mmio.data[0, len) of a write */
		uint32_t len = kvmrc_load32(page + L_MMIO_LEN);
		len = len < 8 ? len : 8;
		if (page[L_MMIO_IS_WRITE]) {
			unsigned int lo = off > L_MMIO_DATA ? off : L_MMIO_DATA, hi = L_MMIO_DATA + len;
			hi = hi < off + 8 ? hi : off + 8;
			if (lo < hi)
				kb &= ~(((1u << (hi - off)) - 1) & ~((1u << (lo - off)) - 1));
			p = 0;
		} else {
			p = kvmrc_scrub_word(KVMRC_PEND(L_MMIO_DATA, len), v->uoff);
		}
	} else if (kb && d->w_cond) {
		kvmrc_scrub_resolve(v, page, reason);
		kb = 0;
	}
	if (kb) /* one masked store; the word lies in the union (kvmrc_scrub_kept_ok) */
		kvmrc_scrub_kept_fill(v, page, off, kb, (unsigned int)__builtin_popcount(kb));
	v->pend = p;
	v->last_reason = reason;
	return 1;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * scrub.h - the KVM_RUN hot path around the real call.
 *
 * Before KVM_RUN every byte of the exit union is set to the fill byte (0, or
 * the poison byte) except the completion inputs of the pending exit, which
 * the library recorded when that exit came back (never read from the page at
 * entry: the VMM may have written over is_write since).  The kernel then
 * writes what it writes; whatever it leaves reads as the fill, on any
 * kernel.  After KVM_RUN: kept input bytes the new exit did not write are
 * filled too (scrub.c), the few remaining rules run (engine.h), and the new
 * exit's inputs are recorded for the next call.
 *
 * No lock, no allocation, no system call.  The page is the library's own
 * mapping of kvm_run (fdtable.h), valid while the caller holds the vCPU.
 */
#ifndef KVMRC_SCRUB_H
#define KVMRC_SCRUB_H

#include <stdint.h>
#include <string.h>
#include "kvmrun-compat-uapi.h"
#include "engine.h"
#include "exits.h"
#include "layout.h"

/* pend: what the kernel reads back on the next KVM_RUN */
#define KVMRC_PEND_UNKNOWN (1u << 31)  /* last exit not described: no scrub */
#define KVMRC_PEND_MASKED  (1u << 30)  /* only the last exit's in_mask bytes of the range */
#define KVMRC_PEND_WORD    (1u << 29)  /* one word kept: 1-8 bytes in the union, no holes
					  (kvmrc_scrub_word; the straight path's kept case) */
#define KVMRC_PEND(off, len) ((uint32_t)(off) | ((uint32_t)(len) << 16))
#define KVMRC_PEND_OFF(p) ((p) & 0xffffu)
#define KVMRC_PEND_LEN(p) (((p) >> 16) & 0x1fffu)

/* pend with KVMRC_PEND_WORD when its inputs are one word within the union
 * at uoff (what kvmrc_scrub_kept_ok asks of the state). */
static inline uint32_t kvmrc_scrub_word(uint32_t pend, unsigned int uoff)
{
	uint32_t len = KVMRC_PEND_LEN(pend), off = KVMRC_PEND_OFF(pend);

	if (!(pend & (KVMRC_PEND_UNKNOWN | KVMRC_PEND_MASKED)) && len - 1 < 8 && off >= uoff &&
	    off + 8 <= uoff + KVMRC_UNION_SIZE)
		return pend | KVMRC_PEND_WORD;
	return pend & ~KVMRC_PEND_WORD;
}

/*
 * After-run plan of an exit reason (kvmrc_scrub_plan[arch][reason]): the pend
 * value the exit leaves when recording it is all the after-run step has to
 * do, or one of these.  Built once from the tables (scrub.c).
 */
#define KVMRC_PLAN_MMIO_READ 0xfffffffeu /* pend = mmio.data[0, len) of a read, nothing of a write */
#define KVMRC_PLAN_FULL      0xffffffffu /* conditions, rules, unknown reason: kvmrc_scrub_after() */
extern uint32_t kvmrc_scrub_plan[KVMRC_NARCH][KVMRC_MAX_EXIT] __attribute__((visibility("hidden")));
/* Exits whose plan is the full step for their rules alone (engine.h): no
 * conditional input, not arm64's FAIL_ENTRY.  After a call that began with
 * nothing pending they need only the rules and their pend (kvmioctl.c). */
extern uint8_t kvmrc_scrub_rules_only[KVMRC_NARCH][KVMRC_MAX_EXIT] __attribute__((visibility("hidden")));

/* The scrub's state of one vCPU, written by the thread that runs it. */
struct kvmrc_scrub {
	/* gate == 0: nothing pending and no step asked for, so the next
	 * KVM_RUN may take the straight path (kvmrc_scrub_fast_*) */
	union {
		struct {
			uint32_t pend;          /* inputs of the pending exit */
			uint32_t slow;          /* != 0: the caller wants its full steps next run */
		};
		uint64_t gate;
	};
	uint32_t last_reason;                   /* exit_reason of the last exit the kernel produced */
	uint32_t before;                        /* exit_reason at entry of the call in flight */
	const uint32_t *plan;                   /* kvmrc_scrub_plan[arch] */
	const struct kvmrc_exit_desc *exits;    /* kvmrc_exit_index[arch] */
	uint16_t uoff;                          /* first byte of the exit union */
	uint8_t arch;                           /* enum kvmrun_compat_arch of the tables */
	uint8_t flags_out;                      /* run->flags is output-only: cleared before KVM_RUN */
	uint16_t clear_at;                      /* flags if flags_out, else the union (filled next) */
	const struct kvmrun_compat_caps *caps;  /* the VM's, or NULL */
	uint32_t *hits;                         /* per-rule counters, or NULL */
	uint64_t unscrubbed;                    /* KVM_RUNs after an exit the tables do not describe */
	uint64_t kept_zeroed;                   /* kept input bytes the next exit did not write */
	uint8_t immediate;                      /* this KVM_RUN's entry saved into imm_save */
	uint8_t *imm_save;                      /* KVMRC_SCRUB_IMM_SAVE bytes, or NULL: the
						 * union at an entry with immediate_exit set */
};

#define KVMRC_SCRUB_IMM_SAVE KVMRC_UNION_SIZE

/* A fresh state: nothing pending (pend_unknown: an adopted vCPU).  The
 * first call builds kvmrc_scrub_plan, after kvmrc_engine_init(). */
void kvmrc_scrub_init(struct kvmrc_scrub *s, unsigned int arch, int pend_unknown,
		      const struct kvmrun_compat_caps *caps, uint32_t *hits);

/* Fill byte for unwritten bytes: 0, or the poison byte (KVMRUN_COMPAT_POISON),
 * and the same byte in each lane of a vector.  Set once, before any vCPU. */
extern uint8_t kvmrc_scrub_fill __attribute__((visibility("hidden")));
typedef uint8_t kvmrc_fillvec __attribute__((vector_size(16)));
extern kvmrc_fillvec kvmrc_scrub_fillv __attribute__((visibility("hidden")));
void kvmrc_scrub_set_fill(uint8_t fill);

/* immediate_exit set: keep the union as it is at entry, for a KVM_RUN that
 * returns -1/EINTR without entering (scrub.c); nothing without an imm_save
 * buffer (the linkable API's vCPU has no room for one) */
void kvmrc_scrub_save_immediate(struct kvmrc_scrub *v, const uint8_t *page);
void kvmrc_scrub_restore_immediate(struct kvmrc_scrub *v, uint8_t *page);

/* Kept bytes longer than 8, with holes, or out of reach of one word (scrub.c). */
void kvmrc_scrub_keep(struct kvmrc_scrub *v, uint8_t *page, uint8_t fill);
/* After an exit the kernel produced: fill kept bytes it did not write. */
void kvmrc_scrub_resolve(struct kvmrc_scrub *v, uint8_t *page, uint32_t reason);

static inline uint64_t kvmrc_load64(const uint8_t *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return x;
}

static inline uint32_t kvmrc_load32(const uint8_t *p)
{
	uint32_t x;
	memcpy(&x, p, 4);
	return x;
}

static inline void kvmrc_scrub_before(struct kvmrc_scrub *v, uint8_t *page)
{
	uint32_t pend = v->pend;
	uint8_t fill = kvmrc_scrub_fill;

	v->immediate = 0;
	if (__builtin_expect(page[KVMRC_RUN_IMMEDIATE_EXIT_OFFSET] != 0, 0))
		kvmrc_scrub_save_immediate(v, page);
	if (v->flags_out)
		memset(page + KVMRC_RUN_FLAGS_OFFSET, 0, 2);
	if (__builtin_expect(pend & KVMRC_PEND_UNKNOWN, 0)) {
		__atomic_store_n(&v->unscrubbed, v->unscrubbed + 1, __ATOMIC_RELAXED);
		return;
	}
	uint8_t *u = page + v->uoff;
	uint32_t len = KVMRC_PEND_LEN(pend);
	if (__builtin_expect(len == 0, 1)) {
		memset(u, fill, KVMRC_UNION_SIZE);
	} else if (len <= 8 && !(pend & KVMRC_PEND_MASKED) && KVMRC_PEND_OFF(pend) + 8u <= v->uoff + KVMRC_UNION_SIZE) {
		/* an MMIO read's data, a hypercall's ret: one word kept */
		uint8_t *k = page + KVMRC_PEND_OFF(pend);
		uint64_t keep = kvmrc_load64(k), mask = len >= 8 ? ~0ull : (1ull << (len * 8)) - 1;
		uint64_t f = 0x0101010101010101ull * fill;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		mask = len >= 8 ? ~0ull : ~(~0ull >> (len * 8));
#endif
		memset(u, fill, KVMRC_UNION_SIZE);
		keep = (keep & mask) | (f & ~mask);
		memcpy(k, &keep, 8);
	} else {
		kvmrc_scrub_keep(v, page, fill);
	}
}

/* The inputs of exit d as the kernel just wrote it. */
static inline uint32_t kvmrc_scrub_pending(const struct kvmrc_exit_desc *d, const uint8_t *page)
{
	if (__builtin_expect(d->in_cond == KVMRC_IN_ALWAYS, 1))
		return d->pend;
	if (d->in_cond == KVMRC_IN_MMIO_READ) {
		uint32_t len = kvmrc_load32(page + L_MMIO_LEN);
		if (page[L_MMIO_IS_WRITE])
			return KVMRC_PEND(0, 0);
		return KVMRC_PEND(d->in_off, len < d->in_len ? len : d->in_len);
	}
	if (d->in_cond == KVMRC_IN_MMIO_RISCV) /* kvm_riscv_vcpu_mmio_return reads is_write */
		return page[L_MMIO_IS_WRITE] ? KVMRC_PEND(L_MMIO_IS_WRITE, 1)
					     : KVMRC_PEND(L_MMIO_DATA, L_MMIO_IS_WRITE + 1 - L_MMIO_DATA) |
						       KVMRC_PEND_MASKED;
	if (d->in_cond == KVMRC_IN_MMIO_ALL) /* arm64 before 5.6: len and is_write too */
		return page[L_MMIO_IS_WRITE] ? KVMRC_PEND(L_MMIO_LEN, L_MMIO_IS_WRITE + 1 - L_MMIO_LEN)
					     : KVMRC_PEND(L_MMIO_DATA, L_MMIO_IS_WRITE + 1 - L_MMIO_DATA);
	return KVMRC_PEND(d->in_off, d->in_len);
}

/*
 * After the real KVM_RUN returned r (errno err).  before: exit_reason at
 * entry.  The kernel produced an exit when r == 0 or it wrote a new
 * exit_reason (memory faults, FAIL_ENTRY, signals); otherwise it did not
 * enter the guest and the pending completion is still pending.
 */
static inline void kvmrc_scrub_after(struct kvmrc_scrub *v, uint8_t *page, int r, int err,
				     uint32_t before)
{
	uint32_t reason = kvmrc_load32(page + KVMRC_RUN_EXIT_REASON_OFFSET);

	if (r != 0 && reason == before) {
		/* not entered: with immediate_exit (the completion consumed,
		 * then -EINTR) the kernel wrote nothing, so the exit it last
		 * wrote reads as it left it; VMMs read it again (the kernel's
		 * selftests: get_ucall after vcpu_run_complete_io) */
		if (__builtin_expect(v->immediate != 0, 0))
			kvmrc_scrub_restore_immediate(v, page);
		v->immediate = 0;
		return;
	}
	v->immediate = 0;
	if (__builtin_expect(KVMRC_PEND_LEN(v->pend) != 0, 0))
		kvmrc_scrub_resolve(v, page, reason);
	v->last_reason = reason;
	if (__builtin_expect(reason >= KVMRC_MAX_EXIT, 0)) {
		v->pend = KVMRC_PEND_UNKNOWN;
		return;
	}
	const struct kvmrc_exit_desc *d = &v->exits[reason];
	if (__builtin_expect(d->rule_count != 0, 0)) {
		unsigned int when = kvmrc_when_of(r, err);
		struct kvmrc_span s = { d->rule_first, d->rule_count };
		if (when)
			kvmrc_engine_apply_span(page, v->caps, when, s, v->hits);
	}
	v->pend = kvmrc_scrub_word(kvmrc_scrub_pending(d, page), v->uoff);
}

/*
 * The straight path, for a state whose gate is 0 (nothing pending, no step
 * asked for) and whose union is at KVMRC_FAST_UOFF (the caller's own slow bit
 * otherwise): the same bytes as kvmrc_scrub_before/after, with the common
 * exits decided by one table load.  kvmrc_scrub_fast_after() returns 0 when
 * the exit needs the full after-run step (kvmrc_scrub_after) instead; it
 * has then changed nothing.
 */
#define KVMRC_FAST_UOFF 32u /* the straight path's exit union (x86_64, arm64, riscv64) */

/*
 * Bytes 8-15 of kvm_run (exit_reason, x86's ready_for_interrupt_injection
 * and if_flag, flags) in one load and one store: returns exit_reason at
 * entry, and clears flags where they are output-only.  The other bytes are
 * stored back as they are: outputs, written only inside KVM_RUN, by the
 * kernel, for this thread's call.
 */
static inline uint64_t kvmrc_scrub_header_keep(const struct kvmrc_scrub *v)
{
	return v->flags_out ? ~(0xffffull << 8 * (KVMRC_RUN_FLAGS_OFFSET - KVMRC_RUN_EXIT_REASON_OFFSET)) : ~0ull;
}

/* keep: kvmrc_scrub_header_keep(v), computed once */
static inline uint32_t kvmrc_scrub_fast_header(const struct kvmrc_scrub *v, uint8_t *page, uint64_t keep)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t h = kvmrc_load64(page + KVMRC_RUN_EXIT_REASON_OFFSET);
	(void)v;
	h &= keep;
	memcpy(page + KVMRC_RUN_EXIT_REASON_OFFSET, &h, 8);
	return (uint32_t)h;
#else
	uint32_t reason = kvmrc_load32(page + KVMRC_RUN_EXIT_REASON_OFFSET);
	(void)keep;
	memset(page + v->clear_at, 0, 2);
	return reason;
#endif
}

/* The union filled (after kvmrc_scrub_fast_header). */
static inline void kvmrc_scrub_fast_before(struct kvmrc_scrub *v, uint8_t *page)
{
	const kvmrc_fillvec f = kvmrc_scrub_fillv; /* one load: the stores below may alias it */
	uint8_t *u = page + KVMRC_FAST_UOFF;

	(void)v;
#pragma GCC unroll 16
	for (unsigned int i = 0; i < KVMRC_UNION_SIZE; i += sizeof(f))
		memcpy(u + i, &f, sizeof(f));
}

#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
#define KVMRC_SCRUB_AVX2 1
/* kvmrc_scrub_fast_before on a CPU with AVX2 (the caller checks): the union
 * in 8 stores of 32 bytes.  In assembly, so that the compiler neither needs
 * AVX2 for the whole file nor realigns the caller's stack for a vector it
 * would think it might spill. */
static inline void kvmrc_scrub_fast_before_avx2(struct kvmrc_scrub *v, uint8_t *page)
{
	(void)v;
	__asm__ volatile("vbroadcasti128 %[f], %%ymm0\n\t"
			 "vmovdqu %%ymm0, 32(%[p])\n\t"
			 "vmovdqu %%ymm0, 64(%[p])\n\t"
			 "vmovdqu %%ymm0, 96(%[p])\n\t"
			 "vmovdqu %%ymm0, 128(%[p])\n\t"
			 "vmovdqu %%ymm0, 160(%[p])\n\t"
			 "vmovdqu %%ymm0, 192(%[p])\n\t"
			 "vmovdqu %%ymm0, 224(%[p])\n\t"
			 "vmovdqu %%ymm0, 256(%[p])\n\t"
			 "vzeroupper"
			 : "=m"(*(uint8_t(*)[KVMRC_UNION_SIZE])(page + KVMRC_FAST_UOFF))
			 : [p] "r"(page), [f] "m"(kvmrc_scrub_fillv)
			 : "xmm0");
}
#endif

/* KVMRC_PLAN_MMIO_READ: the pend of the MMIO exit on page */
static inline uint32_t kvmrc_scrub_mmio_pend(const uint8_t *page)
{
	uint32_t len = kvmrc_load32(page + L_MMIO_LEN);
	if (page[L_MMIO_IS_WRITE])
		return 0;
	return len ? KVMRC_PEND(L_MMIO_DATA, len < 8 ? len : 8) | KVMRC_PEND_WORD : KVMRC_PEND(L_MMIO_DATA, 0);
}

static inline int kvmrc_scrub_fast_after(struct kvmrc_scrub *v, const uint32_t *plan, const uint8_t *page)
{
	size_t reason = kvmrc_load32(page + KVMRC_RUN_EXIT_REASON_OFFSET); /* size_t: an index as loaded */

	if (__builtin_expect(reason >= KVMRC_MAX_EXIT, 0))
		return 0;
	uint32_t p = plan[reason]; /* v->plan's entries (a copy next to the caller's record) */
	if (__builtin_expect(p >= KVMRC_PLAN_MMIO_READ, 0)) {
		if (p != KVMRC_PLAN_MMIO_READ)
			return 0;
		p = kvmrc_scrub_mmio_pend(page);
	}
	v->pend = p;
	v->last_reason = (uint32_t)reason;
	return 1;
}

/*
 * The kept-word path: what kvmrc_scrub_before/after do when the pending
 * inputs are one word (at most 8 bytes without holes, the union around them:
 * an MMIO read's data, a hypercall's ret) and the next exit has a plan.
 * kvmrc_scrub_kept_ok: may the state take it (gate != 0, nothing else asked)?
 */
static inline int kvmrc_scrub_kept_ok(const struct kvmrc_scrub *v)
{
	uint32_t p = v->pend, len = KVMRC_PEND_LEN(p);

	return !v->slow && !(p & (KVMRC_PEND_UNKNOWN | KVMRC_PEND_MASKED)) && len - 1 < 8 &&
	       KVMRC_PEND_OFF(p) >= v->uoff && KVMRC_PEND_OFF(p) + 8u <= v->uoff + KVMRC_UNION_SIZE;
}

/* Before the call, after the union was filled: the kept bytes put back
 * (word: the 8 bytes at the pend's offset before the fill; the rest of
 * them take the fill again). */
static inline void kvmrc_scrub_kept_restore(const struct kvmrc_scrub *v, uint8_t *page, uint64_t word)
{
	uint32_t len = KVMRC_PEND_LEN(v->pend); /* 1-8 (kvmrc_scrub_kept_ok) */
	uint64_t f;
	memcpy(&f, &kvmrc_scrub_fillv, 8); /* the fill byte in every lane */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	uint64_t mask = ~0ull << (64 - 8 * len);
#else
	uint64_t mask = ~0ull >> (64 - 8 * len);
#endif
	word = (word & mask) | (f & ~mask);
	memcpy(page + KVMRC_PEND_OFF(v->pend), &word, 8);
}

/* kvmrc_scrub_kept_after for any kept word and exit (scrub.c). */
int kvmrc_scrub_kept_after_any(struct kvmrc_scrub *v, const uint32_t *plan, uint8_t *page);

/* Fills the bytes of the word at off whose bits are set in kb (bit i: byte
 * off + i), n of them, counted in kept_zeroed. */
static inline void kvmrc_scrub_kept_fill(struct kvmrc_scrub *v, uint8_t *page, unsigned int off, uint32_t kb,
					 unsigned int n)
{
	static const uint32_t nib[16] = {
		0, 0xff, 0xff00, 0xffff, 0xff0000, 0xff00ff, 0xffff00, 0xffffff, 0xff000000,
		0xff0000ff, 0xff00ff00, 0xff00ffff, 0xffff0000, 0xffff00ff, 0xffffff00, 0xffffffff };
	uint64_t m = nib[kb & 15] | (uint64_t)nib[(kb >> 4) & 15] << 32, w;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	m = __builtin_bswap64(m);
#endif
	memcpy(&w, page + off, 8);
	w = (w & ~m) | (0x0101010101010101ull * kvmrc_scrub_fill & m);
	memcpy(page + off, &w, 8);
	__atomic_store_n(&v->kept_zeroed, v->kept_zeroed + n, __ATOMIC_RELAXED);
}

/*
 * After a call that returned 0 with the kept bytes in place, for the common
 * case: an MMIO read's data kept and another MMIO exit
 * (KVMRC_PLAN_MMIO_READ: none of its unconditional rows reach mmio.data,
 * scrub.c).  Those the new exit did not write take the fill (as
 * kvmrc_scrub_resolve), then the exit is recorded.  Returns 0, having
 * changed nothing, for any other case: kvmrc_scrub_kept_after_any.
 */
static inline __attribute__((always_inline)) int kvmrc_scrub_kept_after(struct kvmrc_scrub *v, const uint32_t *plan,
									  uint8_t *page)
{
	size_t reason = kvmrc_load32(page + KVMRC_RUN_EXIT_REASON_OFFSET);

	if (__builtin_expect(reason >= KVMRC_MAX_EXIT || plan[reason] != KVMRC_PLAN_MMIO_READ ||
			     KVMRC_PEND_OFF(v->pend) != L_MMIO_DATA, 0))
		return 0;
	uint32_t kept = KVMRC_PEND_LEN(v->pend), len = kvmrc_load32(page + L_MMIO_LEN), p, n = kept; /* kept: 1-8 */
	len = len < 8 ? len : 8;
	/* m: the kept bytes [0, kept) the exit did not write (a write's data
	 * [0, len) is the kernel's); the other bytes of the word stay as the
	 * kernel left them */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	uint64_t m = ~0ull << (64 - 8 * kept);
#else
	uint64_t m = ~0ull >> (64 - 8 * kept);
#endif
	if (page[L_MMIO_IS_WRITE]) {
		p = 0;
		if (len >= kept)
			goto done;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		m &= ~0ull >> (8 * len);
#else
		m &= ~0ull << (8 * len);
#endif
		n = kept - len;
	} else { /* a read writes no data: the kept bytes read the fill */
		p = len ? KVMRC_PEND(L_MMIO_DATA, len) | KVMRC_PEND_WORD : KVMRC_PEND(L_MMIO_DATA, 0);
	}
	uint64_t w, f;
	memcpy(&f, &kvmrc_scrub_fillv, 8); /* the fill byte in every lane */
	memcpy(&w, page + L_MMIO_DATA, 8);
	w = (w & ~m) | (f & m);
	memcpy(page + L_MMIO_DATA, &w, 8);
	__atomic_store_n(&v->kept_zeroed, v->kept_zeroed + n, __ATOMIC_RELAXED);
done:
	v->pend = p;
	v->last_reason = (uint32_t)reason;
	return 1;
}

#endif

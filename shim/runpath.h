/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * runpath.h - the straight path of KVM_RUN.  Built once per way of filling
 * the union (kvmioctl.c); every entry (ioctl, syscall(), the SIGSYS
 * backstop) jumps through kvmrc_runpath_entry, which names the pass-through
 * until the first vCPU is tracked, so the path may take the fd table as
 * mapped.
 *
 * The common case (nothing pending before, an exit whose plan is a table
 * entry after) runs here with v the only value kept across the call;
 * everything else is out of line in kvmioctl.c, reached by tail calls.  A
 * tracked vCPU implies the next ioctl is resolved (fdtable.c).
 */
#ifndef KVMRC_RUNPATH_H
#define KVMRC_RUNPATH_H

#include <stdint.h>
#include <linux/kvm.h>
#include "fdtable.h"
#include "real.h"
#include "scrub.h"

/* Out of line (kvmioctl.c): an fd that is not a tracked vCPU; passed
 * through after kvmrc_fdt_enter (the slot changed under the call, or an
 * argument was given); the full steps;
 * the straight call came back with something its plan does not cover. */
int kvmrc_ioctl_run_untracked(int fd, IOCTL_REQUEST_TYPE req, void *arg) __attribute__((visibility("hidden"), noinline));
int kvmrc_ioctl_run_lost(struct kvmrc_vcpu *v, int fd, IOCTL_REQUEST_TYPE req, void *arg) __attribute__((visibility("hidden"), noinline));
int kvmrc_ioctl_run_full(struct kvmrc_vcpu *v, int fd, IOCTL_REQUEST_TYPE req) __attribute__((visibility("hidden"), noinline));
/* kvmrc_runpath_kept, out of line so that the straight path keeps one
 * callee-saved register (per fill) */
int kvmrc_ioctl_run_kept(struct kvmrc_vcpu *v, int fd, IOCTL_REQUEST_TYPE req) __attribute__((visibility("hidden"), noinline));
int kvmrc_ioctl_run_kept_avx2(struct kvmrc_vcpu *v, int fd, IOCTL_REQUEST_TYPE req) __attribute__((visibility("hidden"), noinline));
int kvmrc_ioctl_after_full(struct kvmrc_vcpu *v, int r) __attribute__((visibility("hidden"), noinline));
/* The kept-word path's call returned 0 and its inline step does not cover
 * the exit: kvmrc_scrub_kept_after_any, else the full step. */
int kvmrc_ioctl_kept_after(struct kvmrc_vcpu *v) __attribute__((visibility("hidden"), noinline));

/* The KVM_RUN entry: kvmrc_ioctl_run_untracked, then (release order, once
 * the fd table is mapped) the straight path for this CPU. */
extern int (*kvmrc_runpath_entry)(int, IOCTL_REQUEST_TYPE, void *) __attribute__((visibility("hidden")));

/* The entry, loaded to be called: acquire order (x86_64's loads have it,
 * and there one indirect jump through memory is the whole dispatch). */
#if defined(__x86_64__)
#define KVMRC_RUNPATH_ENTRY() (*(int (*const volatile *)(int, IOCTL_REQUEST_TYPE, void *))&kvmrc_runpath_entry)
#else
#define KVMRC_RUNPATH_ENTRY() __atomic_load_n(&kvmrc_runpath_entry, __ATOMIC_ACQUIRE)
#endif

/* Does this CPU fill with AVX2? */
static inline int kvmrc_runpath_avx2(void)
{
#ifdef KVMRC_SCRUB_AVX2
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
#else
	return 0;
#endif
}

/* The union filled (and the flags cleared where output-only). */
static inline __attribute__((always_inline)) void kvmrc_runpath_fill(struct kvmrc_scrub *sc, uint8_t *page, int avx2)
{
#ifdef KVMRC_SCRUB_AVX2
	if (avx2) {
		kvmrc_scrub_fast_before_avx2(sc, page);
		return;
	}
#endif
	(void)avx2;
	kvmrc_scrub_fast_before(sc, page);
}

/*
 * The kept-word path: the pending inputs are one word (KVMRC_PEND_WORD),
 * kept across the fill, then resolved against the new exit, both without
 * the full steps when its plan allows.
 */
static inline __attribute__((always_inline)) int kvmrc_runpath_kept(struct kvmrc_vcpu *v, int fd,
								  IOCTL_REQUEST_TYPE req, int avx2)
{
	uint8_t *page = v->page;
	uint64_t word;

	/* immediate_exit: the full steps keep the last exit (scrub.c) */
	if (__builtin_expect(page[KVMRC_RUN_IMMEDIATE_EXIT_OFFSET] != 0, 0))
		return kvmrc_ioctl_run_full(v, fd, req);
	v->sc.before = kvmrc_scrub_fast_header(&v->sc, page, v->hdr_keep);
	memcpy(&word, page + KVMRC_PEND_OFF(v->sc.pend), 8);
	kvmrc_runpath_fill(&v->sc, page, avx2);
	kvmrc_scrub_kept_restore(&v->sc, page, word);
	int r = ((int (*)(int, IOCTL_REQUEST_TYPE, void *))kvmrc_real.ioctl)(fd, req, NULL);
	if (__builtin_expect(r != 0, 0))
		return kvmrc_ioctl_after_full(v, r);
	if (__builtin_expect(!kvmrc_scrub_kept_after(&v->sc, v->plan, v->page), 0))
		return kvmrc_ioctl_kept_after(v);
	kvmrc_fdt_release(v);
	return 0;
}

static inline __attribute__((always_inline)) int kvmrc_runpath(int fd, IOCTL_REQUEST_TYPE req, void *arg, int avx2)
{
	/* the table is mapped (kvmrc_runpath_entry), of a fixed size */
	if (__builtin_expect((unsigned int)fd >= KVMRC_FDT_SLOTS, 0))
		return kvmrc_ioctl_run_untracked(fd, req, arg);
	const uintptr_t *at = __atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_RELAXED) + (size_t)(unsigned int)fd;
#ifdef __x86_64__
	__asm__("" : "+c"(at)); /* not in fd's register: fd is the call's first argument */
#endif
	uintptr_t slot = __atomic_load_n(at, __ATOMIC_ACQUIRE);
	struct kvmrc_vcpu *v = (struct kvmrc_vcpu *)(slot - KVMRC_ROLE_VCPU); /* valid if the role is */

	if (__builtin_expect(((slot - KVMRC_ROLE_VCPU) & 3) != 0, 0))
		return kvmrc_ioctl_run_untracked(fd, req, arg);
	kvmrc_fdt_enter(v); /* kvmrc_fdt_hold, inline */
#ifdef __x86_64__
	/* a plain load is sequentially consistent there: one compare */
	__asm__ goto("cmpq %[slot], %[at]\n\tjne %l[lost]" : : [at] "m"(*at), [slot] "r"(slot) : "cc" : lost);
	if (0) {
lost:
		return kvmrc_ioctl_run_lost(v, fd, req, arg);
	}
#else
	if (__builtin_expect(__atomic_load_n(at, __ATOMIC_SEQ_CST) != slot, 0))
		return kvmrc_ioctl_run_lost(v, fd, req, arg);
#endif
	/* from here on v alone is kept (one callee-saved register): hide
	 * from the compiler that slot could be derived from it */
	__asm__("" : "+r"(v));
	/* KVM_RUN takes no argument: with one the kernel fails before entry
	 * (passed through).  Tested with the gate: both are 0 on this path. */
	if (__builtin_expect((v->sc.gate | (uintptr_t)arg) != 0, 0)) {
		/* one word of input kept and nothing else asked (an MMIO
		 * read's data, a hypercall's ret): the kept-word path */
		if (__builtin_expect((v->sc.gate >> 29) == 1 && !arg, 1))
			return (avx2 ? kvmrc_ioctl_run_kept_avx2 : kvmrc_ioctl_run_kept)(v, fd, req);
		if (arg)
			return kvmrc_ioctl_run_lost(v, fd, req, arg);
		return kvmrc_ioctl_run_full(v, fd, req);
	}

	uint8_t *page = v->page;
	/* immediate_exit: the full steps keep the last exit for a KVM_RUN
	 * that returns -1/EINTR without entering (scrub.c) */
	if (__builtin_expect(page[KVMRC_RUN_IMMEDIATE_EXIT_OFFSET] != 0, 0))
		return kvmrc_ioctl_run_full(v, fd, req);
	v->sc.before = kvmrc_scrub_fast_header(&v->sc, page, v->hdr_keep);
	kvmrc_runpath_fill(&v->sc, page, avx2);
	/* arg is NULL here, and still in its register */
	int r = ((int (*)(int, IOCTL_REQUEST_TYPE, void *))kvmrc_real.ioctl)(fd, req, arg);
	if (__builtin_expect(r != 0, 0))
		return kvmrc_ioctl_after_full(v, r);
	/* kvmrc_scrub_fast_after, with the plan entry addressed from v */
	page = v->page;
	size_t reason = kvmrc_load32(page + KVMRC_RUN_EXIT_REASON_OFFSET);
	v->sc.last_reason = (uint32_t)reason; /* what the full step would record too */
	if (__builtin_expect(reason >= KVMRC_MAX_EXIT, 0))
		return kvmrc_ioctl_after_full(v, 0);
	uint32_t p = v->plan[reason];
	/* MMIO exits are common, and a write's pend (nothing) is a test away:
	 * one compare tells the plan, an MMIO plan and the full step apart */
#if defined(__x86_64__) && defined(__GCC_ASM_FLAG_OUTPUTS__)
	__asm__ goto("cmpl %[mmio], %[p]\n\t"
		     "je %l[mmio_plan]\n\t"
		     "ja %l[full_step]"
		     : : [p] "r"(p), [mmio] "i"(KVMRC_PLAN_MMIO_READ) : "cc" : mmio_plan, full_step);
	if (0) {
mmio_plan:
		p = kvmrc_scrub_mmio_pend(page);
	}
	if (0) {
full_step:
		return kvmrc_ioctl_after_full(v, 0);
	}
#else
	if (__builtin_expect(p == KVMRC_PLAN_MMIO_READ, 0))
		p = kvmrc_scrub_mmio_pend(page);
	else if (__builtin_expect(p > KVMRC_PLAN_MMIO_READ, 0))
		return kvmrc_ioctl_after_full(v, 0);
#endif
	v->sc.pend = p;
	kvmrc_fdt_release(v);
	return 0;
}

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trace.c - the vCPU side of recording: one ring per vCPU object, filled by
 * kvmrc_trace_after on the thread that runs the vCPU.  No lock, no
 * allocation, no system call there: the slot is claimed with a plain load
 * of the drain thread's tail (acquire), filled, and published with a
 * release store of head.  The rings are mapped when a vCPU is created and
 * kept for the life of the process; a vCPU object the fd table reuses gets
 * its old ring back, so a VMM that creates and destroys vCPUs does not
 * grow memory.
 */
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "config.h"
#include "engine.h"
#include "fdtable.h"
#include "sys.h"
#include "trace.h"

#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
#define TRACE_AVX2 1
#endif

int kvmrc_trace_on;

static struct kvmrc_trace_ring *rings[KVMRC_MAX_VCPUS];
static uint32_t ring_count;      /* published entries of rings[] */
static uint32_t rings_busy;      /* creation of rings: one thread at a time */
static uint32_t instances;       /* vCPUs recorded so far (under rings_busy) */

static struct kvmrc_trace_ring *ring_for(const struct kvmrc_vcpu *v)
{
	uint32_t n = __atomic_load_n(&ring_count, __ATOMIC_ACQUIRE);
	for (uint32_t i = 0; i < n; i++)
		if (rings[i]->owner == v)
			return rings[i];
	if (n >= KVMRC_MAX_VCPUS)
		return NULL;
	void *p = (void *)kvmrc_sys(SYS_mmap, NULL, sizeof(struct kvmrc_trace_ring), PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	struct kvmrc_trace_ring *t = p;
	t->owner = v;
	rings[n] = t;
	__atomic_store_n(&ring_count, n + 1, __ATOMIC_RELEASE);
	return t;
}

void kvmrc_trace_vcpu_new(struct kvmrc_vcpu *v)
{
	if (!__atomic_load_n(&kvmrc_trace_on, __ATOMIC_ACQUIRE) || !v || !v->page ||
	    v->page_len < KVMRC_REC_IMAGE_MAX)
		return;
	while (__atomic_exchange_n(&rings_busy, 1, __ATOMIC_ACQUIRE))
		sched_yield();
	struct kvmrc_trace_ring *t = ring_for(v);
	uint32_t instance = instances++;
	__atomic_store_n(&rings_busy, 0, __ATOMIC_RELEASE);
	if (!t) {
		kvmrc_log_once(KVMRC_LOG_WARN, "cannot record vCPU %u: no memory for its ring", v->id);
		return;
	}
	t->image = kvmrc_union_off(kvmrc_cfg.arch) + KVMRC_UNION_SIZE;
	__atomic_store_n(&t->vcpu, v->id, __ATOMIC_RELAXED);
	__atomic_store_n(&t->instance, instance, __ATOMIC_RELAXED);
	if (v->vm)
		memcpy(&t->caps, &v->vm->caps, sizeof(t->caps));
	__atomic_store_n(&v->trace, t, __ATOMIC_RELEASE);
	/* every exit to the full after-run step, where kvmioctl.c calls
	 * kvmrc_trace_after: the straight path needs no test of its own
	 * (before the vCPU's first KVM_RUN: its fd is not returned yet) */
	for (unsigned int i = 0; i < KVMRC_MAX_EXIT; i++)
		v->plan[i] = KVMRC_PLAN_FULL;
	v->sc.plan = v->plan; /* the kept-word path's too */
}

/*
 * One image of kvm_run into a slot: KVMRC_REC_IMAGE_MAX bytes (the end of
 * the exit union on every arch) in a fixed run of vector moves, no call and
 * no loop: with AVX2, 9 moves of 32 bytes and one of 16 each way (19
 * instructions and vzeroupper); else 19 moves of 16 each way.
 */
_Static_assert(KVMRC_REC_IMAGE_MAX == 9 * 32 + 16, "copy_image moves 9 * 32 + 16 bytes");
typedef uint8_t trace_v16 __attribute__((vector_size(16)));

static inline __attribute__((always_inline)) void copy_image(uint8_t *dst, const uint8_t *src, int avx2)
{
#ifdef TRACE_AVX2
	if (avx2) {
		__asm__ volatile("vmovdqu (%[s]), %%ymm0\n\t"
				 "vmovdqu 32(%[s]), %%ymm1\n\t"
				 "vmovdqu 64(%[s]), %%ymm2\n\t"
				 "vmovdqu %%ymm0, (%[d])\n\t"
				 "vmovdqu %%ymm1, 32(%[d])\n\t"
				 "vmovdqu %%ymm2, 64(%[d])\n\t"
				 "vmovdqu 96(%[s]), %%ymm0\n\t"
				 "vmovdqu 128(%[s]), %%ymm1\n\t"
				 "vmovdqu 160(%[s]), %%ymm2\n\t"
				 "vmovdqu %%ymm0, 96(%[d])\n\t"
				 "vmovdqu %%ymm1, 128(%[d])\n\t"
				 "vmovdqu %%ymm2, 160(%[d])\n\t"
				 "vmovdqu 192(%[s]), %%ymm0\n\t"
				 "vmovdqu 224(%[s]), %%ymm1\n\t"
				 "vmovdqu 256(%[s]), %%ymm2\n\t"
				 "vmovdqu 288(%[s]), %%xmm3\n\t"
				 "vmovdqu %%ymm0, 192(%[d])\n\t"
				 "vmovdqu %%ymm1, 224(%[d])\n\t"
				 "vmovdqu %%ymm2, 256(%[d])\n\t"
				 "vmovdqu %%xmm3, 288(%[d])\n\t"
				 "vzeroupper"
				 : "=m"(*(uint8_t(*)[KVMRC_REC_IMAGE_MAX])dst)
				 : [d] "r"(dst), [s] "r"(src), "m"(*(const uint8_t(*)[KVMRC_REC_IMAGE_MAX])src)
				 : "xmm0", "xmm1", "xmm2", "xmm3");
		return;
	}
#endif
	(void)avx2;
#pragma GCC unroll 19
	for (unsigned int i = 0; i < KVMRC_REC_IMAGE_MAX; i += sizeof(trace_v16)) {
		trace_v16 x;
		memcpy(&x, src + i, sizeof(x));
		memcpy(dst + i, &x, sizeof(x));
	}
}

/*
 * One recorded KVM_RUN, on the vCPU's thread: a slot claimed (a plain load
 * of the drain thread's tail only when the ring looks full), the kernel's
 * image copied, the shim's after-run step, the shim's image, the slot
 * published with a release store of head.  A full ring: the step alone, the
 * record counted as dropped.
 *
 * The step is the one the vCPU would take unrecorded (its own copy of the
 * plan says "full" for every exit, which brought it here): the exit's plan
 * from the real table when the call came from the straight path (gate 0, no
 * immediate_exit save) or the kept-word path, else after() in full.  A plan
 * of the straight path changes no byte of the page: the shim's image is the
 * kernel's (slot->same) and is not copied.
 */
static inline __attribute__((always_inline)) void publish(struct kvmrc_trace_ring *t, struct kvmrc_trace_slot *s,
							  uint64_t h, int r, int err, uint32_t same)
{
	s->sret = r;
	s->serr = err;
	s->same = same;
	__atomic_store_n(&t->head, h + 1, __ATOMIC_RELEASE);
}

/* The rest, out of line: the kept-word path's step, or after() in full. */
static inline __attribute__((always_inline)) int trace_rest(struct kvmrc_vcpu *v, uint8_t *page, int r, int *err,
							   kvmrc_trace_step after, struct kvmrc_trace_slot *s,
							   uint64_t h, int avx2)
{
	struct kvmrc_trace_ring *t = v->trace;

	if (r == 0 && v->sc.slow == 0 && !v->sc.immediate && kvmrc_scrub_kept_ok(&v->sc)) {
		if (kvmrc_scrub_kept_after_any(&v->sc, kvmrc_scrub_plan[v->sc.arch], page)) {
			copy_image(s->s, page, avx2);
			publish(t, s, h, 0, 0, 0);
			return 0;
		}
	}
	r = after(v, page, r, err);
	copy_image(s->s, page, avx2);
	publish(t, s, h, r, *err, 0);
	return r;
}

static inline __attribute__((always_inline)) int trace_after(struct kvmrc_vcpu *v, uint8_t *page, int r, int *err,
							    kvmrc_trace_step after, int avx2,
							    int (*rest)(struct kvmrc_vcpu *, uint8_t *, int, int *,
									kvmrc_trace_step, struct kvmrc_trace_slot *,
									uint64_t))
{
	struct kvmrc_trace_ring *t = v->trace;
	uint64_t h = t->head;

	if (__builtin_expect(h - t->tail_seen >= KVMRC_TRACE_SLOTS, 0)) {
		t->tail_seen = __atomic_load_n(&t->tail, __ATOMIC_ACQUIRE);
		if (h - t->tail_seen >= KVMRC_TRACE_SLOTS) {
			__atomic_store_n(&t->dropped, t->dropped + 1, __ATOMIC_RELAXED);
			return after(v, page, r, err);
		}
	}
	struct kvmrc_trace_slot *s = &t->slot[h % KVMRC_TRACE_SLOTS];
	s->counter = kvmrc_trace_counter();
	s->vcpu = t->vcpu;
	s->instance = t->instance;
	s->seq = (uint32_t)h;
	s->ret = r;
	s->err = *err;
	copy_image(s->k, page, avx2);
	if (__builtin_expect(r == 0 && v->sc.gate == 0 && !v->sc.immediate, 1) &&
	    __builtin_expect(kvmrc_scrub_fast_after(&v->sc, kvmrc_scrub_plan[v->sc.arch], page), 1)) {
		publish(t, s, h, 0, 0, 1);
		return 0;
	}
	return rest(v, page, r, err, after, s, h);
}

#define TRACE_VARIANT(name, avx2)                                                                            \
	static __attribute__((noinline)) int name##_rest(struct kvmrc_vcpu *v, uint8_t *page, int r, int *err, \
							  kvmrc_trace_step after, struct kvmrc_trace_slot *s,  \
							  uint64_t h)                                          \
	{                                                                                                    \
		return trace_rest(v, page, r, err, after, s, h, avx2);                                       \
	}                                                                                                    \
	static int name(struct kvmrc_vcpu *v, uint8_t *page, int r, int *err, kvmrc_trace_step after)         \
	{                                                                                                    \
		return trace_after(v, page, r, err, after, avx2, name##_rest);                               \
	}

#ifdef TRACE_AVX2
TRACE_VARIANT(trace_after_sse, 0)
TRACE_VARIANT(trace_after_avx2, 1)

/* GNU ifunc resolver, run by the loader during relocation, before any
 * sanitizer runtime is set up: not instrumented. */
__attribute__((no_sanitize("address", "undefined"))) static int (*resolve_after(void))(struct kvmrc_vcpu *, uint8_t *, int, int *, kvmrc_trace_step)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") ? trace_after_avx2 : trace_after_sse;
}

int kvmrc_trace_after(struct kvmrc_vcpu *v, uint8_t *page, int r, int *err, kvmrc_trace_step after)
	__attribute__((ifunc("resolve_after")));
#else
TRACE_VARIANT(trace_after_plain, 0)

int kvmrc_trace_after(struct kvmrc_vcpu *v, uint8_t *page, int r, int *err, kvmrc_trace_step after)
{
	return trace_after_plain(v, page, r, err, after);
}
#endif

void kvmrc_trace_for_each_ring(void (*fn)(struct kvmrc_trace_ring *, void *), void *ctx)
{
	uint32_t n = __atomic_load_n(&ring_count, __ATOMIC_ACQUIRE);
	for (uint32_t i = 0; i < n; i++)
		fn(rings[i], ctx);
}

void kvmrc_trace_forget_all(void)
{
	uint32_t n = __atomic_load_n(&ring_count, __ATOMIC_ACQUIRE);
	for (uint32_t i = 0; i < n; i++) {
		struct kvmrc_trace_ring *t = rings[i];
		t->tail = t->tail_seen = t->head;
		t->dropped = t->dropped_told = 0;
	}
	instances = 0;
	__atomic_store_n(&rings_busy, 0, __ATOMIC_RELEASE);
}

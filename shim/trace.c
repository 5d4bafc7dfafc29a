/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trace.c - the vCPU side of recording: one ring per vCPU object, filled by
 * kvmrc_trace_kernel and kvmrc_trace_shim on the thread that runs the vCPU.  No lock, no
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
	v->sc.slow |= KVMRC_SLOW_TRACE; /* before the vCPU's first KVM_RUN: its fd is not returned yet */
}

__attribute__((noinline)) struct kvmrc_trace_slot *kvmrc_trace_kernel(struct kvmrc_vcpu *v, const uint8_t *page,
									int r, int err)
{
	struct kvmrc_trace_ring *t = v->trace;
	uint64_t h = t->head;

	if (h - t->tail_seen >= KVMRC_TRACE_SLOTS) {
		t->tail_seen = __atomic_load_n(&t->tail, __ATOMIC_ACQUIRE);
		if (h - t->tail_seen >= KVMRC_TRACE_SLOTS) {
			__atomic_store_n(&t->dropped, t->dropped + 1, __ATOMIC_RELAXED);
			return NULL;
		}
	}
	struct kvmrc_trace_slot *s = &t->slot[h % KVMRC_TRACE_SLOTS];
	s->counter = kvmrc_trace_counter();
	s->vcpu = t->vcpu;
	s->instance = t->instance;
	s->ret = r;
	s->err = r ? err : 0;
	s->seq = (uint32_t)h;
	/* a constant size: an inline copy, no call (the mapping is a whole page) */
	__builtin_memcpy(s->k, page, KVMRC_REC_IMAGE_MAX);
	return s;
}

__attribute__((noinline)) void kvmrc_trace_shim(struct kvmrc_vcpu *v, struct kvmrc_trace_slot *s,
						const uint8_t *page, int r, int err)
{
	struct kvmrc_trace_ring *t = v->trace;

	s->sret = r;
	s->serr = r ? err : 0;
	__builtin_memcpy(s->s, page, KVMRC_REC_IMAGE_MAX);
	__atomic_store_n(&t->head, t->head + 1, __ATOMIC_RELEASE);
}

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
